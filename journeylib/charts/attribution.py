"""Charts of the Attribution page: credit per channel and model, removal effects, transitions."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib import markov
from journeylib.attribution import ALL
from journeylib.charts.base import PALETTE, check_small, localized, wrapped_labels
from journeylib.i18n import formats, label, t

# Nine models need nine colours. Okabe-Ito without its black (black draws the error bars),
# plus grey and Tol's wine.
MODEL_COLOURS = [*PALETTE[:7], "#999999", "#882255"]
# Each model keeps its colour whichever models are drawn (page, export and handout alike).
COLOUR_OF_MODEL = dict(zip(ALL, MODEL_COLOURS, strict=True))
MEASURES = ("conversions", "revenue")


def attribution_chart(frame: pd.DataFrame, measure: str = "conversions"):
    """Grouped bars of credit per channel, one bar per model, with bootstrap error bars;
    texts in the current language.

    ``frame`` is the output of :func:`journeylib.attribution.attribution`; ``measure`` is
    ``"conversions"`` or ``"revenue"``. Channels are ordered by their mean credit.
    """
    check_small(frame)
    if measure not in MEASURES:
        raise ValueError(f"measure must be 'conversions' or 'revenue', not {measure!r}")
    low, high = ("ci_low", "ci_high") if measure == "conversions" else (
        "revenue_ci_low", "revenue_ci_high")
    data = frame.assign(model_label=[label(m) for m in frame["model"]])
    codes = list(dict.fromkeys(frame["model"]))
    models = [label(m) for m in codes]
    channels = data.groupby("channel")[measure].mean().sort_values(ascending=False).index
    y_title = t(f"attribution.chart.{measure}_credited")
    colour = alt.Color(
        "model_label:N", title=t("attribution.chart.model"), sort=models,
        scale=alt.Scale(domain=models, range=[COLOUR_OF_MODEL.get(m, "#999999") for m in codes]),
    )
    # Facets per channel rather than xOffset: with xOffset the browser's Vega-Lite draws error
    # bars at the left edge of their bars instead of the middle.
    x = alt.X("model_label:N", sort=models, axis=None, title=None)
    bars = alt.Chart().mark_bar().encode(
        x=x,
        y=alt.Y(f"{measure}:Q", title=y_title),
        color=colour,
        tooltip=[
            alt.Tooltip("model_label:N", title=t("attribution.chart.model")),
            alt.Tooltip("channel:N", title=t("attribution.chart.channel")),
            alt.Tooltip(f"{measure}:Q", title=t(f"attribution.chart.{measure}"), format=",.1f"),
            alt.Tooltip("share:Q", title=t("attribution.chart.share"), format=".1%"),
            alt.Tooltip(f"{low}:Q", title=t("attribution.chart.interval_from"), format=",.1f"),
            alt.Tooltip(f"{high}:Q", title=t("attribution.chart.interval_to"), format=",.1f"),
        ],
    )
    errors = (
        alt.Chart()
        .transform_filter(f"isValid(datum.{low})")
        .mark_rule(color="black", strokeWidth=2)
        .encode(x=x, y=alt.Y(f"{low}:Q", title=y_title), y2=f"{high}:Q")
    )
    chart = (
        alt.layer(bars, errors, data=data)
        .properties(width=alt.Step(14), height=320)
        .facet(
            column=alt.Column(
                "channel:N", sort=list(channels), title=t("attribution.chart.channel"),
                header=alt.Header(labelOrient="bottom", titleOrient="bottom", labelLimit=160,
                                  labelExpr=wrapped_labels(list(channels), 12)),
            ),
            spacing=10,
        )
        .properties(
            title=alt.Title(
                t(f"attribution.chart.{measure}_title"),
                subtitle=_subtitle(frame, codes, low),
            )
        )
    )
    return localized(chart)


def _subtitle(frame: pd.DataFrame, codes: list[str], low: str) -> str:
    """What the chart's marks mean, only for the marks drawn: the interval lines when there
    are intervals, the participation note when that model is shown."""
    parts = []
    if low in frame and frame[low].notna().any():
        parts.append(t("attribution.chart.subtitle_intervals"))
    if "participation" in codes:
        parts.append(t("attribution.chart.subtitle_participation"))
    return " ".join(parts)


def removal_effects_chart(frame: pd.DataFrame):
    """Horizontal bars of Markov removal effects (share of conversions lost without each
    channel), texts in the current language; ``frame`` is the output of
    :func:`journeylib.attribution.removal_effects`."""
    check_small(frame)
    chart = (
        alt.Chart(
            frame,
            title=alt.Title(
                t("attribution.chart.removal_title"),
                subtitle=t("attribution.chart.removal_subtitle"),
            ),
        )
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("channel:N", title=t("attribution.chart.channel"), sort="-x"),
            x=alt.X("removal_effect:Q", title=t("attribution.chart.lost_axis"),
                    axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("channel:N", title=t("attribution.chart.channel")),
                alt.Tooltip("removal_effect:Q", title=t("attribution.chart.lost"), format=".1%"),
                alt.Tooltip("conversion_probability_without:Q",
                            title=t("attribution.chart.probability_without"), format=".2%"),
            ],
        )
        .properties(height=alt.Step(24))
    )
    return localized(chart)


def state_label(state: str) -> str:
    """A Markov chain state as shown: the chain's own start, conversion and no-conversion
    states in the current language, channels (and ``"a > b"`` histories) as they are."""
    names = {
        markov.START: "attribution.chart.state_start",
        markov.CONVERSION: "attribution.chart.state_conversion",
        markov.NULL: "attribution.chart.state_null",
    }
    return t(names[state]) if state in names else state


def transition_matrix_chart(frame: pd.DataFrame):
    """Heat map of step probabilities between states, texts in the current language;
    ``frame`` is the output of :func:`journeylib.attribution.transition_matrix` (first order
    reads best)."""
    check_small(frame)
    data = frame.assign(
        from_label=[state_label(s) for s in frame["from_state"]],
        to_label=[state_label(s) for s in frame["to_state"]],
        # The one share rule of every table and label (36.4%, <0.1%).
        probability_label=[formats.share(float(p)) for p in frame["probability"]],
    )
    ends = [markov.CONVERSION, markov.NULL]
    sources = [markov.START, *sorted(set(frame["from_state"]) - {markov.START})]
    targets = [*sorted(set(frame["to_state"]) - set(ends)), *ends]
    base = alt.Chart(
        data,
        title=alt.Title(
            t("attribution.chart.transitions_title"),
            subtitle=t("attribution.chart.transitions_subtitle"),
        ),
    ).encode(
        x=alt.X("to_label:N", title=t("attribution.chart.next_step"),
                sort=[state_label(s) for s in targets],
                # Every column named: no label is dropped for want of room.
                axis=alt.Axis(labelAngle=-40, labelOverlap=False, labelLimit=160,
                              labelPadding=4)),
        y=alt.Y("from_label:N", title=t("attribution.chart.from"),
                sort=[state_label(s) for s in sources]),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("probability:Q", title=t("attribution.chart.probability"),
                        scale=alt.Scale(scheme="blues"), legend=alt.Legend(format="%")),
        tooltip=[
            alt.Tooltip("from_label:N", title=t("attribution.chart.from")),
            alt.Tooltip("to_label:N", title=t("attribution.chart.to")),
            alt.Tooltip("probability:Q", title=t("attribution.chart.probability"), format=".1%"),
            alt.Tooltip("transitions:Q", title=t("attribution.chart.journeys_making_step"),
                        format=",.0f"),
        ],
    )
    labels = base.mark_text(fontSize=10).encode(
        text=alt.Text("probability_label:N"),
        color=alt.condition("datum.probability > 0.5", alt.value("white"), alt.value("black")),
    )
    return localized((cells + labels).properties(height=alt.Step(28), width=alt.Step(64)))
