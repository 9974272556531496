"""Shared look of every chart: palette and the guard against charting raw rows."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from journeylib.i18n.formats import vega_locale

# Colour-blind-safe categorical palette (Okabe-Ito), readable on a projector.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MAX_CHART_ROWS = 5000


def check_small(frame: pd.DataFrame) -> None:
    """Refuse chart input above :data:`MAX_CHART_ROWS` rows: aggregate before charting."""
    if len(frame) > MAX_CHART_ROWS:
        raise ValueError(
            f"chart input has {len(frame):,} rows; aggregate before charting "
            f"(limit {MAX_CHART_ROWS:,})"
        )


def localized(chart: alt.TopLevelMixin, lang: str | None = None) -> alt.TopLevelMixin:
    """``chart`` with the language's number and date formats for axes, labels and tooltips
    (Vega-Lite ``config.locale``), keeping any other configuration it already has."""
    out = chart.copy(deep=False)
    config = out.config if out.config is not alt.Undefined else alt.Config()
    config = config.copy(deep=False)
    config.locale = vega_locale(lang)
    out.config = config
    return out


def wrap_words(text: str, chars: int) -> list[str]:
    """``text`` cut into lines of at most ``chars`` characters at spaces (a longer word keeps
    its own line); ``[text]`` when it fits."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [str(text)]


def wrapped_labels(labels: list[str], chars: int | None = None) -> str:
    """A Vega-Lite ``labelExpr`` printing each of ``labels`` on lines of at most ``chars``
    characters (by default more lines the more labels share the axis), so neighbouring labels
    of a band axis sit side by side instead of on top of each other. Other values print as
    they are."""
    if chars is None:
        chars = max(10, min(24, 110 // max(len(labels), 1)))
    expr = "datum.label"
    for name in dict.fromkeys(str(v) for v in labels):
        lines = wrap_words(name, chars)
        if len(lines) > 1:
            expr = (f"datum.label === {json.dumps(name, ensure_ascii=False)} ? "
                    f"{json.dumps(lines, ensure_ascii=False)} : {expr}")
    return expr
