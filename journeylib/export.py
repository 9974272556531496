"""Static exports of charts (PNG, SVG, PDF) and multi-page PDFs (the handout), each drawn at
the size of its medium and saying which filters it was drawn with.

One path serves the download buttons and the handout: :func:`fit` sizes a chart for a box
(a slide of 1600×900 px, or a page's content box in pt; 1 px = 1 pt in the PDF), widening
charts that fill the browser's width and shrinking, as a whole, what still does not fit;
:func:`export_chart` draws the fitted chart at exactly the box's size.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import altair as alt
import vl_convert as vlc
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from journeylib.i18n import t

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
TOP_LEVEL_ONLY = ("config", "background", "padding", "autosize", "usermeta")
# A slide: 1600×900 px drawn at twice the pixels (3200×1800 PNG), sharp on a projector.
SLIDE = (1600, 900)
SLIDE_MARGIN = 32
# Slides are laid out at 1/1.6 of their size and drawn 1.6 times larger: type of 10-13 px in
# the chart becomes 16-21 px, legible from the back of a room.
SLIDE_ZOOM = 1.6
PNG_SCALE = 2.0
# Handout paper, landscape, in PDF points.
PAPERS = {"a4": (842, 595), "letter": (792, 612)}
PAGE_MARGIN = 36
# The handout's type scale (pt): cover title, cover lines, page reading, footer.
TYPE = {"title": 24, "heading": 14, "body": 12, "reading": 12, "footer": 9}
LINE_HEIGHT = 1.3
FOOTNOTE_SIZE = 11
_FOOTNOTE = "footnote"
_DEFAULT_VIEW = 300


def footnote(name: str, filters: str = "") -> str:
    """The line printed under an exported chart: the data's name and, when any, the active
    filters, in the current language."""
    if not filters:
        return name
    return t("report.footnote", name=name, filters=filters)


@lru_cache(maxsize=4)
def _font(bold: bool):
    """The font Vega's sans-serif resolves to here (Liberation Sans, Arial's metrics), or None."""
    from PIL import ImageFont

    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    try:
        return ImageFont.truetype(name, 100, layout_engine=ImageFont.Layout.BASIC)
    except OSError:
        return None


# Symbols Liberation Sans lacks: a text holding one is drawn, whole, in DejaVu Sans Condensed
# Bold (the fallback vl-convert picks), wider than Liberation Sans.
FALLBACK_SYMBOLS = frozenset("★☆✓✗")


@lru_cache(maxsize=1)
def _fallback_font():
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSansCondensed-Bold.ttf", 100,
                                  layout_engine=ImageFont.Layout.BASIC)
    except OSError:
        return None


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in px (pt) of one line of ``text`` in the charts' sans-serif at ``size`` (in the
    fallback font when it holds one of :data:`FALLBACK_SYMBOLS`); an estimate of 0.6 em a
    character when the font file is not installed."""
    font = _font(bold)
    if FALLBACK_SYMBOLS.intersection(str(text)):
        font = _fallback_font() or font
    if font is None:
        return 0.6 * size * len(text)
    return font.getlength(text) * size / 100


def wrap_text(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """``text`` cut at spaces into lines no wider than ``width`` at ``size`` (a word wider
    than the line keeps a line of its own)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def with_footnote(chart: alt.TopLevelMixin, footnote: str,
                  width: float | None = None) -> alt.TopLevelMixin:
    """``chart`` with ``footnote`` (e.g. the active filters) printed under it, cut into lines
    no wider than ``width`` when given; unchanged when the footnote is empty."""
    if not footnote:
        return chart
    lines = wrap_text(footnote, FOOTNOTE_SIZE, width) if width else footnote
    note = alt.Chart(title=alt.Title(lines, fontSize=FOOTNOTE_SIZE, fontWeight="normal",
                                     color="#555", anchor="start", orient="bottom")).mark_text()
    # Top-level settings (config, background, ...) may only sit on the outer chart.
    inner = chart.copy(deep=False)
    outer = {}
    for name in TOP_LEVEL_ONLY:
        value = getattr(inner, name, alt.Undefined)
        if value is not alt.Undefined:
            outer[name] = value
            setattr(inner, name, alt.Undefined)
    combined = alt.vconcat(inner, note.properties(height=1, width=1, name=_FOOTNOTE), **outer)
    return combined if "config" in outer else combined.configure_view(stroke=None)


@dataclass(frozen=True)
class Layout:
    """A chart fitted to a box: ``spec`` (Vega-Lite, as a dict) draws ``chart_size`` px at
    scale 1; drawn ``scale`` times that with its top-left corner at ``offset`` it sits inside
    the box of ``box`` px (pt)."""

    spec: dict[str, Any]
    box: tuple[float, float]
    chart_size: tuple[float, float]
    scale: float
    offset: tuple[float, float]


def _views(node: dict[str, Any]):
    """The views of a spec that carry a width and height (units and layers; the inner spec
    of a facet; the members of a concat), the footnote left out."""
    if node.get("name") == _FOOTNOTE:
        return
    if "layer" in node or "mark" in node:
        yield node
        return
    if isinstance(node.get("spec"), dict):
        yield from _views(node["spec"])
        return
    for key in ("hconcat", "vconcat", "concat"):
        for child in node.get(key, []):
            yield from _views(child)


def _measure(spec: dict[str, Any]) -> tuple[float, float]:
    """The canvas size (px) Vega draws ``spec`` at."""
    scene = vlc.vegalite_to_scenegraph(json.dumps(spec))
    return float(scene["width"]), float(scene["height"])


def _wrap_titles(node: Any, width: float) -> None:
    """Cut every chart title and subtitle of a spec into lines no wider than ``width``."""
    if isinstance(node, list):
        for child in node:
            _wrap_titles(child, width)
        return
    if not isinstance(node, dict):
        return
    title = node.get("title")
    if isinstance(title, dict) and ("subtitle" in title or "fontSize" in title
                                    or "text" in title):
        for key, size, bold in (("text", title.get("fontSize", 13), True),
                                ("subtitle", title.get("subtitleFontSize", 12), False)):
            value = title.get(key)
            parts = [value] if isinstance(value, str) else value
            if isinstance(parts, list) and parts:
                title[key] = [line for part in parts for line in wrap_text(part, size, width,
                                                                             bold)]
    elif isinstance(title, str) and ("mark" in node or "layer" in node or "hconcat" in node
                                     or "vconcat" in node or "facet" in node):
        node["title"] = wrap_text(title, 13, width, True)
    for key, child in node.items():
        if key not in ("title", "datasets", "data", "config"):
            _wrap_titles(child, width)


def _solve(apply, box: tuple[float, float], start: tuple[float, float]
           ) -> tuple[float, float]:
    """The largest factors ``(kx, ky)`` of the views' widths and heights whose canvas,
    ``apply(kx, ky)``, fits ``box`` (within 8 px of filling it, after at most 8 drawings).

    The canvas grows with the factors but not in proportion (titles, legends and axes do not
    grow), so each axis keeps the largest factor found to fit and the smallest found too
    large, and steps between them (regula falsi), or away from the one it has."""
    samples: list[list[tuple[float, float]]] = [[], []]
    k = [max(0.1, start[0]), max(0.1, start[1])]
    for _ in range(8):
        size = apply(*k)
        done = []
        for axis in (0, 1):
            samples[axis].append((k[axis], size[axis]))
            target = box[axis]
            fits = [p for p in samples[axis] if p[1] <= target]
            over = [p for p in samples[axis] if p[1] > target]
            lo = max(fits) if fits else None
            hi = min(over) if over else None
            done.append(lo is not None and (lo[1] > target - 8 or lo[0] <= 0.1
                                            or (hi is not None and hi[0] - lo[0] < 0.01)))
            if done[-1]:
                k[axis] = lo[0]
            elif lo is not None and hi is not None:
                step = (target - lo[1]) * (hi[0] - lo[0]) / max(hi[1] - lo[1], 1e-6)
                k[axis] = lo[0] + min(max(step, 0.1 * (hi[0] - lo[0])), 0.9 * (hi[0] - lo[0]))
            elif hi is not None:
                k[axis] = max(0.1, hi[0] * min(target / hi[1], 0.67))
            else:
                k[axis] = lo[0] * max(target / lo[1], 1.5)
        if all(done):
            break
    best = []
    for axis in (0, 1):
        fits = [p for p in samples[axis] if p[1] <= box[axis]]
        best.append(max(fits)[0] if fits else 0.1)
    return best[0], best[1]


def fit(chart: alt.TopLevelMixin, box: tuple[float, float], *, footnote: str = "",
        max_scale: float = 1.0) -> Layout:
    """``chart`` sized for ``box`` (width, height in px or pt), ``footnote`` under it.

    A chart whose views have no width of their own (the browser's ``"container"``, a step, or
    none) is widened or narrowed and its heights scaled together so that everything, axes,
    legends, titles and footnote included, fills the box; titles wrap to its width. A chart
    of fixed size (the journey map) keeps its size. What is still larger than the box is
    shrunk as a whole, and a fixed chart grows up to ``max_scale``.
    """
    width, height = box
    spec = with_footnote(chart, footnote, width).to_dict()
    for key in ("width", "height"):
        if spec.get(key) == "container":
            spec.pop(key)
    # Vega under-measures rotated two-line axis titles by a line: room on the left for it.
    spec["padding"] = {"left": 16, "top": 4, "right": 4, "bottom": 4}
    spec["autosize"] = {"type": "pad"}
    spec["background"] = "white"
    views = list(_views(spec))
    flexible = any(not isinstance(v.get("width"), int | float) for v in views)
    # Titles wrap narrower than the box, so that it is the plot that fills the box's width; a
    # chart of fixed size (the handout's journey map, drawn for the box) lets them span most
    # of it, inside the padding.
    _wrap_titles(spec, 0.7 * width if flexible else width - 24)
    if flexible:
        bases = [(_DEFAULT_VIEW if not isinstance(v.get("width"), int | float) else v["width"],
                  v["height"] if isinstance(v.get("height"), int | float) else _DEFAULT_VIEW)
                 for v in views]
        for view in views:
            for child in view.get("layer", []):
                child.pop("width", None)
                child.pop("height", None)

        def apply(kx: float, ky: float) -> tuple[float, float]:
            for view, (bw, bh) in zip(views, bases, strict=True):
                view["width"] = max(20, round(kx * bw))
                view["height"] = max(20, round(ky * bh))
            return _measure(spec)

        kx, ky = _solve(apply, (width, height), (width / max(b[0] for b in bases),
                                                 height / max(b[1] for b in bases)))
        apply(kx, ky)
        size = _measure(spec)
    else:
        size = _measure(spec)
    scale = min(max_scale, width / size[0], height / size[1])
    offset = ((width - size[0] * scale) / 2, (height - size[1] * scale) / 2)
    return Layout(spec, (width, height), size, scale, offset)


def _png(layout: Layout, pixels: float) -> bytes:
    from PIL import Image

    drawn = Image.open(io.BytesIO(vlc.vegalite_to_png(json.dumps(layout.spec),
                                                      scale=pixels * layout.scale)))
    page = Image.new("RGB", (round(layout.box[0] * pixels), round(layout.box[1] * pixels)),
                     "white")
    x, y = (round(v * pixels) for v in layout.offset)
    page.paste(drawn.convert("RGB"), (x, y))
    return _png_bytes(page)


def _png_bytes(image) -> bytes:
    """A PIL image as PNG bytes (an image, never a spreadsheet: nothing to neutralise)."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _svg(layout: Layout) -> bytes:
    inner = vlc.vegalite_to_svg(json.dumps(layout.spec))
    inner = inner[inner.index("<svg"):]
    (w, h), (x, y) = layout.box, layout.offset
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:g}" height="{h:g}" '
        f'viewBox="0 0 {w:g} {h:g}"><rect width="{w:g}" height="{h:g}" fill="white"/>'
        f'<g transform="translate({x:.2f},{y:.2f}) scale({layout.scale:.4f})">{inner}</g></svg>'
    ).encode()


def _pdf_page(layout: Layout, origin: tuple[float, float], page: PageObject) -> None:
    """Draw ``layout`` on ``page`` with the box's top-left corner at ``origin`` (pt from the
    page's top-left)."""
    drawn = PdfReader(io.BytesIO(vlc.vegalite_to_pdf(json.dumps(layout.spec)))).pages[0]
    x = origin[0] + layout.offset[0]
    top = origin[1] + layout.offset[1]
    y = float(page.mediabox.height) - top - layout.chart_size[1] * layout.scale
    page.merge_transformed_page(drawn, Transformation().scale(layout.scale).translate(x, y))


def _pdf_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def export_chart(chart: alt.TopLevelMixin, fmt: str, *, footnote: str = "",
                 medium: str = "slide", box: tuple[float, float] | None = None,
                 scale: float = PNG_SCALE) -> bytes:
    """Render ``chart`` as ``fmt`` (``"png"``, ``"svg"`` or ``"pdf"``) without a browser, at
    the size of its ``medium``: ``"slide"`` (1600×900 px; the PNG at ``scale`` times the
    pixels, 3200×1800 by default) or ``"page"`` (``box``, default the content box of an A4
    landscape handout page, in pt).

    ``footnote`` is printed under the chart (pass the active filters so an exported image always
    says what it shows). Returns the file's bytes.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if medium not in ("slide", "page"):
        raise ValueError(f"medium must be 'slide' or 'page', not {medium!r}")
    layout = fit_for(chart, medium, footnote=footnote, box=box)
    if fmt == "png":
        return _png(layout, scale)
    if fmt == "svg":
        return _svg(layout)
    writer = PdfWriter()
    page = writer.add_blank_page(*layout.box)
    _pdf_page(layout, (0, 0), page)
    return _pdf_bytes(writer)


def fit_for(chart: alt.TopLevelMixin, medium: str, *, footnote: str = "",
            box: tuple[float, float] | None = None) -> Layout:
    """The :class:`Layout` :func:`export_chart` draws for ``medium``: a slide keeps a margin
    of :data:`SLIDE_MARGIN` px inside 1600×900 and is drawn :data:`SLIDE_ZOOM` times its
    layout size; a page fills ``box`` (default: an A4
    landscape page's content box)."""
    if medium == "slide":
        inner = ((SLIDE[0] - 2 * SLIDE_MARGIN) / SLIDE_ZOOM,
                 (SLIDE[1] - 2 * SLIDE_MARGIN) / SLIDE_ZOOM)
        layout = fit(chart, inner, footnote=footnote, max_scale=1.0)
        return Layout(layout.spec, SLIDE, layout.chart_size, layout.scale * SLIDE_ZOOM,
                      (layout.offset[0] * SLIDE_ZOOM + SLIDE_MARGIN,
                       layout.offset[1] * SLIDE_ZOOM + SLIDE_MARGIN))
    return fit(chart, box or content_box("a4"), footnote=footnote)


# --- Multi-page PDFs ---------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a handout: a ``chart`` under its one-line ``reading``, or (``chart`` None)
    ``lines`` of text, each ``(style, text)`` with a style of :data:`TYPE`."""

    chart: alt.TopLevelMixin | None = None
    reading: str = ""
    lines: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PageLayout:
    """A handout page as drawn: ``size`` (pt), the ``frame`` (a Vega-Lite spec of the page's
    size with its texts: reading, cover lines, footer and page number) and the fitted
    ``chart`` with the top-left ``origin`` of its box."""

    size: tuple[float, float]
    frame: dict[str, Any]
    chart: Layout | None
    origin: tuple[float, float]


def content_box(paper: str = "a4", reading_lines: int = 2) -> tuple[float, float]:
    """The box (pt) a handout page of ``paper`` leaves for its chart: inside the margins,
    under ``reading_lines`` lines of reading and above the footer."""
    width, height = _paper(paper)
    return (width - 2 * PAGE_MARGIN,
            height - 2 * PAGE_MARGIN - _reading_height(reading_lines) - _footer_height())


def _paper(paper: str) -> tuple[float, float]:
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    return PAPERS[paper]


def _reading_height(lines: int) -> float:
    return lines * TYPE["reading"] * LINE_HEIGHT + (10 if lines else 0)


def _footer_height() -> float:
    return TYPE["footer"] * LINE_HEIGHT + 10


def _text_spec(items: list[dict[str, Any]], size: tuple[float, float]) -> dict[str, Any]:
    """A Vega-Lite spec of ``size`` drawing each item's ``text`` at its ``x``/``y`` (top of
    the line, pt) in its ``size``, ``weight``, ``colour`` and ``align``."""
    # Vega-Lite has no align or weight channels: one text layer for each of them.
    layers = [
        {"transform": [{"filter": {"and": [{"field": "align", "equal": align},
                                           {"field": "weight", "equal": weight}]}}],
         "mark": {"type": "text", "baseline": "top", "align": align, "fontWeight": weight}}
        for align in ("left", "right") for weight in ("normal", "bold")
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": size[0], "height": size[1], "padding": 0, "autosize": {"type": "none"},
        "background": "white", "config": {"view": {"stroke": None}},
        "data": {"values": items},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "scale": None},
            "y": {"field": "y", "type": "quantitative", "scale": None},
            "text": {"field": "text", "type": "nominal"},
            "size": {"field": "size", "type": "quantitative", "scale": None},
            "color": {"field": "colour", "type": "nominal", "scale": None},
        },
        "layer": layers,
    }


def _item(text: str, x: float, y: float, style: str, *, align: str = "left",
          colour: str = "#1F2933", bold: bool = False) -> dict[str, Any]:
    return {"text": text, "x": x, "y": y, "size": TYPE[style], "align": align,
            "weight": "bold" if bold else "normal", "colour": colour}


def page_layouts(pages: list[Page], *, footnote: str = "", paper: str = "a4"
                 ) -> list[PageLayout]:
    """Each of ``pages`` laid out on ``paper`` (``"a4"`` or ``"letter"``, landscape): the
    margins of :data:`PAGE_MARGIN`, the reading in :data:`TYPE` ``reading`` size above the
    chart, the footer with ``footnote`` on the left and "page / pages" on the right."""
    width, height = _paper(paper)
    inner = width - 2 * PAGE_MARGIN
    out: list[PageLayout] = []
    for number, page in enumerate(pages, start=1):
        items: list[dict[str, Any]] = []
        y = PAGE_MARGIN
        if page.reading:
            lines = wrap_text(page.reading, TYPE["reading"], inner, True)
            for line in lines:
                items.append(_item(line, PAGE_MARGIN, y, "reading", bold=True))
                y += TYPE["reading"] * LINE_HEIGHT
            y += 10
        for style, text in page.lines:
            if style == "gap":
                y += TYPE["body"]
                continue
            bold = style in ("title", "heading")
            for line in wrap_text(text, TYPE[style], inner, bold):
                items.append(_item(line, PAGE_MARGIN, y, style, bold=bold))
                y += TYPE[style] * LINE_HEIGHT
        page_no = f"{number} / {len(pages)}"
        foot_y = height - PAGE_MARGIN - TYPE["footer"] * LINE_HEIGHT
        room = inner - text_width(page_no, TYPE["footer"]) - 24
        note = wrap_text(footnote, TYPE["footer"], room)[0] if footnote else ""
        if note and note != footnote:
            note = wrap_text(footnote + " …", TYPE["footer"], room - 12)[0] + " …"
        items.append(_item(note, PAGE_MARGIN, foot_y, "footer", colour="#52606D"))
        items.append(_item(page_no, width - PAGE_MARGIN, foot_y, "footer", align="right",
                           colour="#52606D"))
        chart = None
        if page.chart is not None:
            box = (inner, foot_y - 10 - y)
            chart = fit(page.chart, box)
        out.append(PageLayout((width, height), _text_spec(items, (width, height)), chart,
                              (PAGE_MARGIN, y)))
    return out


def pages_pdf(pages: list[Page], *, footnote: str = "", paper: str = "a4") -> bytes:
    """One PDF of ``pages`` (see :func:`page_layouts`), every page of ``paper``'s size."""
    if not pages:
        raise ValueError("a handout needs at least one page")
    writer = PdfWriter()
    for laid in page_layouts(pages, footnote=footnote, paper=paper):
        frame = PdfReader(io.BytesIO(vlc.vegalite_to_pdf(json.dumps(laid.frame)))).pages[0]
        page = writer.add_blank_page(*laid.size)
        page.merge_page(frame)
        if laid.chart is not None:
            _pdf_page(laid.chart, laid.origin, page)
    return _pdf_bytes(writer)


def page_png(laid: PageLayout, pixels: float = 1.0) -> bytes:
    """A handout page drawn as PNG at ``pixels`` px a point (to look at, and for tests)."""
    from PIL import Image

    page = Image.open(io.BytesIO(vlc.vegalite_to_png(json.dumps(laid.frame), scale=pixels)))
    page = page.convert("RGB")
    if laid.chart is not None:
        chart = Image.open(io.BytesIO(vlc.vegalite_to_png(
            json.dumps(laid.chart.spec), scale=pixels * laid.chart.scale))).convert("RGB")
        x = round((laid.origin[0] + laid.chart.offset[0]) * pixels)
        y = round((laid.origin[1] + laid.chart.offset[1]) * pixels)
        page.paste(chart, (x, y))
    return _png_bytes(page)


def handout_pdf(pages: list[Page | alt.TopLevelMixin], *, footnote: str = "",
                paper: str = "a4") -> bytes:
    """One PDF with each of ``pages`` (a :class:`Page`, or a chart alone) on a page of
    ``paper``, every page carrying ``footnote`` (the data and the active filters) and its
    page number."""
    if not pages:
        raise ValueError("a handout needs at least one chart")
    return pages_pdf([p if isinstance(p, Page) else Page(chart=p) for p in pages],
                     footnote=footnote, paper=paper)
