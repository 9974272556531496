"""Static exports of charts (PNG, SVG, PDF, a multi-page PDF handout) that say which filters
they were drawn with."""

from __future__ import annotations

import io

import altair as alt
import vl_convert as vlc
from pypdf import PdfReader, PdfWriter

from journeylib.i18n import t

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
TOP_LEVEL_ONLY = ("config", "background", "padding", "autosize", "usermeta")


def footnote(name: str, filters: str = "") -> str:
    """The line printed under an exported chart: the data's name and, when any, the active
    filters, in the current language."""
    if not filters:
        return name
    return t("report.footnote", name=name, filters=filters)


def with_footnote(chart: alt.TopLevelMixin, footnote: str) -> alt.TopLevelMixin:
    """``chart`` with ``footnote`` (e.g. the active filters) printed under it; unchanged when
    the footnote is empty."""
    if not footnote:
        return chart
    note = alt.Chart(title=alt.Title(footnote, fontSize=11, fontWeight="normal", color="#555",
                                     anchor="start", orient="bottom")).mark_text()
    # Top-level settings (config, background, ...) may only sit on the outer chart.
    inner = chart.copy(deep=False)
    outer = {}
    for name in TOP_LEVEL_ONLY:
        value = getattr(inner, name, alt.Undefined)
        if value is not alt.Undefined:
            outer[name] = value
            setattr(inner, name, alt.Undefined)
    combined = alt.vconcat(inner, note.properties(height=1, width=1), **outer)
    return combined if "config" in outer else combined.configure_view(stroke=None)


def export_chart(chart: alt.TopLevelMixin, fmt: str, *, footnote: str = "",
                 scale: float = 2.0) -> bytes:
    """Render ``chart`` as ``fmt`` (``"png"``, ``"svg"`` or ``"pdf"``) without a browser.

    ``footnote`` is printed under the chart (pass the active filters so an exported image always
    says what it shows); ``scale`` multiplies the PNG's pixel size (2 = sharp on slides).
    Returns the file's bytes.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    spec = with_footnote(chart, footnote).to_json()
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=scale)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    return vlc.vegalite_to_pdf(spec)


def handout_pdf(charts: list[alt.TopLevelMixin], *, footnote: str = "") -> bytes:
    """One PDF with each chart on its own page (the journey map and key charts to hand out
    after a workshop); every page carries ``footnote`` (the data and the active filters)."""
    if not charts:
        raise ValueError("a handout needs at least one chart")
    writer = PdfWriter()
    for chart in charts:
        for page in PdfReader(io.BytesIO(export_chart(chart, "pdf", footnote=footnote))).pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
