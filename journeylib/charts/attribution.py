"""Charts of the Attribution page: credit per channel and model, removal effects, transitions."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.attribution import MODEL_LABELS
from journeylib.charts.base import PALETTE, check_small

# Nine models need nine colours. Okabe-Ito without its black (black draws the error bars),
# plus grey and Tol's wine.
MODEL_COLOURS = [*PALETTE[:7], "#999999", "#882255"]


def attribution_chart(frame: pd.DataFrame, measure: str = "conversions"):
    """Grouped bars of credit per channel, one bar per model, with bootstrap error bars.

    ``frame`` is the output of :func:`journeylib.attribution.attribution`; ``measure`` is
    ``"conversions"`` or ``"revenue"``. Channels are ordered by their mean credit.
    """
    check_small(frame)
    if measure not in ("conversions", "revenue"):
        raise ValueError(f"measure must be 'conversions' or 'revenue', not {measure!r}")
    low, high = ("ci_low", "ci_high") if measure == "conversions" else (
        "revenue_ci_low", "revenue_ci_high")
    data = frame.assign(model_label=frame["model"].map(MODEL_LABELS))
    models = [MODEL_LABELS[m] for m in dict.fromkeys(frame["model"])]
    channels = data.groupby("channel")[measure].mean().sort_values(ascending=False).index
    y_title = f"{measure.capitalize()} credited"
    colour = alt.Color(
        "model_label:N", title="Model", sort=models,
        scale=alt.Scale(domain=models, range=MODEL_COLOURS[: len(models)]),
    )
    # Facets per channel rather than xOffset: with xOffset the browser's Vega-Lite draws error
    # bars at the left edge of their bars instead of the middle.
    x = alt.X("model_label:N", sort=models, axis=None, title=None)
    bars = alt.Chart().mark_bar().encode(
        x=x,
        y=alt.Y(f"{measure}:Q", title=y_title),
        color=colour,
        tooltip=[
            alt.Tooltip("model_label:N", title="Model"),
            alt.Tooltip("channel:N", title="Channel"),
            alt.Tooltip(f"{measure}:Q", title=measure.capitalize(), format=",.1f"),
            alt.Tooltip("share:Q", title="Share of conversions", format=".1%"),
            alt.Tooltip(f"{low}:Q", title="95% interval from", format=",.1f"),
            alt.Tooltip(f"{high}:Q", title="95% interval to", format=",.1f"),
        ],
    )
    errors = (
        alt.Chart()
        .transform_filter(f"isValid(datum.{low})")
        .mark_rule(color="black", strokeWidth=2)
        .encode(x=x, y=alt.Y(f"{low}:Q", title=y_title), y2=f"{high}:Q")
    )
    return (
        alt.layer(bars, errors, data=data)
        .properties(width=alt.Step(14), height=320)
        .facet(
            column=alt.Column(
                "channel:N", sort=list(channels), title="Channel",
                header=alt.Header(labelOrient="bottom", titleOrient="bottom"),
            ),
            spacing=10,
        )
        .properties(
            title=alt.Title(
                f"{measure.capitalize()} credited to each channel, by model",
                subtitle="Black lines: 95% bootstrap intervals. Participation counts every "
                "conversion a channel took part in, so its bars add up to more than the total.",
            )
        )
    )


def removal_effects_chart(frame: pd.DataFrame):
    """Horizontal bars of Markov removal effects (share of conversions lost without each
    channel); ``frame`` is the output of :func:`journeylib.attribution.removal_effects`."""
    check_small(frame)
    return (
        alt.Chart(
            frame,
            title=alt.Title(
                "Conversions lost if a channel disappeared (Markov removal effect)",
                subtitle="Effects overlap, so they add up to more than 100%.",
            ),
        )
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("channel:N", title="Channel", sort="-x"),
            x=alt.X("removal_effect:Q", title="Conversions lost (% of all)",
                    axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("removal_effect:Q", title="Conversions lost", format=".1%"),
                alt.Tooltip("conversion_probability_without:Q",
                            title="Conversion probability without it", format=".2%"),
            ],
        )
        .properties(height=alt.Step(24))
    )


def transition_matrix_chart(frame: pd.DataFrame):
    """Heat map of step probabilities between states; ``frame`` is the output of
    :func:`journeylib.attribution.transition_matrix` (first order reads best)."""
    check_small(frame)
    ends = ["(conversion)", "(null)"]
    sources = ["(start)", *sorted(set(frame["from_state"]) - {"(start)"})]
    targets = [*sorted(set(frame["to_state"]) - set(ends)), *ends]
    base = alt.Chart(
        frame,
        title=alt.Title(
            "Where journeys go next (first-order transition probabilities)",
            subtitle="Each row sums to 100%: the chance that the next step from the row's "
            "state is the column's.",
        ),
    ).encode(
        x=alt.X("to_state:N", title="Next step", sort=targets, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("from_state:N", title="From", sort=sources),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("probability:Q", title="Probability", scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(format="%")),
        tooltip=[
            alt.Tooltip("from_state:N", title="From"),
            alt.Tooltip("to_state:N", title="To"),
            alt.Tooltip("probability:Q", title="Probability", format=".1%"),
            alt.Tooltip("transitions:Q", title="Journeys making this step", format=",.0f"),
        ],
    )
    labels = base.mark_text(fontSize=10).encode(
        text=alt.Text("probability:Q", format=".0%"),
        color=alt.condition("datum.probability > 0.5", alt.value("white"), alt.value("black")),
    )
    return (cells + labels).properties(height=alt.Step(28), width=alt.Step(56))
