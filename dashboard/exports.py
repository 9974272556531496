"""Download buttons that export a chart as PNG, SVG or PDF, rendered only when clicked."""

from __future__ import annotations

import re

import altair as alt
import streamlit as st

import journeylib as jl
from journeylib.export import FORMATS, export_chart
from journeylib.export import footnote as chart_footnote
from journeylib.i18n import filters_text, t
from journeylib.paths_table import PathTable


def chart_downloads(chart: alt.TopLevelMixin, basename: str, data: jl.Dataset | PathTable) -> None:
    """A row of PNG / SVG / PDF buttons for ``chart``; every file names the data it was drawn
    from and the active filters (in the interface language)."""
    footnote = chart_footnote(data.name, filters_text(getattr(data, "filters", None)))
    stem = re.sub(r"[^\w-]+", "-", basename).strip("-") or "chart"
    row = st.container(horizontal=True, gap="small")
    for fmt, mime in FORMATS.items():
        row.download_button(
            fmt.upper(),
            data=lambda fmt=fmt: export_chart(chart, fmt, footnote=footnote),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            help=t("exports.help", format=fmt.upper()),
            key=f"export_{stem}_{fmt}",
        )
