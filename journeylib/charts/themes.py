"""Chart of the themes in what customers say: customers who mention each theme, coloured by
their mean valence."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import check_small, localized
from journeylib.i18n import t

# Diverging valence colours (negative orange-red, neutral grey, positive blue), colour-blind safe.
_VALENCE_RANGE = ["#D55E00", "#DDDDDD", "#0072B2"]


def themes_chart(themes: pd.DataFrame, *, width: int = 640, height: int | None = None
                 ) -> alt.Chart:
    """Horizontal bars of ``customers`` per theme, ranked, coloured by ``valence_mean`` on
    −1..1; ``themes`` is :attr:`journeylib.themes.ThemeResult.themes`, optionally with a
    ``label`` column (the theme's words) shown after its code. ``width`` / ``height`` in pixels
    (explicit, so exports and the page draw the same chart)."""
    check_small(themes)
    labels = themes.get("label", pd.Series([""] * len(themes), index=themes.index))
    data = themes.assign(
        name=[f"{code} · {words}" if words else str(code)
              for code, words in zip(themes["theme"], labels.fillna(""), strict=True)],
        effect_points=themes["effect"] * 100,
    )
    order = data["name"].tolist()
    tooltip = [
        alt.Tooltip("name:N", title=t("themes.chart.theme")),
        alt.Tooltip("customers:Q", title=t("themes.chart.customers"), format=","),
        alt.Tooltip("valence_mean:Q", title=t("themes.chart.valence"), format="+.2f"),
        alt.Tooltip("effect_points:Q", title=t("themes.chart.effect"), format="+.1f"),
        alt.Tooltip("top_touchpoint:N", title=t("themes.chart.touchpoint")),
    ]
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("name:N", sort=order, title=t("themes.chart.theme"),
                axis=alt.Axis(labelLimit=320)),
        x=alt.X("customers:Q", title=t("themes.chart.customers"), axis=alt.Axis(format=",d",
                                                                               tickMinStep=1)),
        color=alt.Color("valence_mean:Q", title=t("themes.chart.valence"),
                        scale=alt.Scale(domain=[-1, 0, 1], range=_VALENCE_RANGE)),
        tooltip=tooltip,
    ).properties(
        title=alt.Title(t("themes.chart.title"), subtitle=t("themes.chart.subtitle")),
        width=width, height=height or max(120, 30 * len(order)),
    )
    return localized(chart)
