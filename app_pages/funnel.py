"""Funnel page: customers per step, time to convert, conversion over time, segments, drop-offs."""

import streamlit as st

from dashboard import links, session
from dashboard.exports import chart_downloads
from journeylib import conversion, segments
from journeylib.charts.funnel import conversion_trend_chart, funnel_chart, time_to_convert_chart
from journeylib.funnel import (
    describe_funnel,
    describe_journey_parts,
    drop_offs,
    funnel,
    journey_parts,
    largest_drop,
)
from journeylib.report import excel_report

MODES = {"ordered": "In order", "strict": "Strictly in order", "any": "In any order"}
WINDOWS = {"none": "No limit", "1d": "1 day", "7d": "7 days", "30d": "30 days", "90d": "90 days"}
BREAKDOWNS = {
    "none": "None",
    "segment": "Segment",
    "channel": "First-touch channel",
    "touchpoint": "First touchpoint",
}


ANALYSES = {
    "funnel": funnel,
    "time": conversion.time_to_convert,
    "trend": conversion.conversion_trend,
    "segments": segments.compare_segments,
    "lost": drop_offs,
}


@st.cache_data(show_spinner="Following the customers…", max_entries=64)
def _run(analysis: str, key: str, args: tuple, options: tuple, _ds):
    """``ANALYSES[analysis](_ds, *args, **options)``, cached per dataset ``key``."""
    return ANALYSES[analysis](_ds, *args, **dict(options))


def _percent(label: str):
    return st.column_config.NumberColumn(label, format="percent")


def _choice(key: str, param: str, options: dict, label: str, column) -> str:
    """A selectbox over ``options`` (value -> label) mirrored in the link."""
    links.bind_choice(key, param, list(options), next(iter(options)))
    return column.selectbox(label, list(options), format_func=options.get, key=key)


ds = session.require_dataset()
st.title("Funnel")
st.caption(
    "How many customers reach each stage, how fast, and where they drop out. A customer enters "
    "at their first touchpoint in step 1; each next step counts from the previous one."
)

links.bind_choices("funnel_stages", "steps", ds.stages, ds.stages)
if not st.session_state["funnel_stages"]:
    st.session_state["funnel_stages"] = list(ds.stages)
stages = tuple(
    st.multiselect(
        "Steps, in funnel order",
        ds.stages,
        key="funnel_stages",
        help="Pick stages in the order customers should reach them; remove and re-add to reorder.",
    )
)
top = st.columns(3)
mode = _choice("funnel_mode", "mode", MODES, "Order of steps", top[0])
window_key = _choice("funnel_window", "window", WINDOWS, "Conversion window", top[1])
by_key = _choice("funnel_by", "by", BREAKDOWNS, "Break down by", top[2])
if not stages:
    st.info("Choose at least one stage.")
    st.stop()
window = None if window_key == "none" else window_key
by = None if by_key == "none" else by_key
key = ds.key
same = (("window", window), ("mode", mode))
two_step = "strict" if mode == "strict" else "ordered"  # "any" has no time between steps

frame = _run("funnel", key, (stages,), (*same, ("by", by)), ds)
st.markdown(f"**{describe_funnel(frame)}**")
chart = funnel_chart(frame)
st.altair_chart(chart, width="stretch")
chart_downloads(chart, "funnel", ds)
if by is None:
    parts = journey_parts(frame)
    for column, part in zip(st.columns(2), parts.itertuples(index=False), strict=False):
        column.metric(
            f"{part.journey}: {part.from_stage} → {part.to_stage}",
            f"{part.conversion:.1%}",
            help=f"{part.reached:,} of {part.entered:,}",
        )
    st.caption(describe_journey_parts(parts))
with st.expander("Numbers per step"):
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "conversion_from_previous": _percent("From previous"),
            "conversion_from_start": _percent("From step 1"),
            "median_hours_from_previous": st.column_config.NumberColumn(
                "Median hours", format="%.1f"
            ),
            "p90_hours_from_previous": st.column_config.NumberColumn(
                "90th pct hours", format="%.1f"
            ),
        },
    )

if len(stages) < 2:
    st.stop()
tabs = st.tabs(["Time to convert", "Conversion over time", "Segments", "Drop-offs"])
with tabs[0]:
    left, right = st.columns(2)
    buy = ds.purchase_stage
    if st.session_state.get("ttc_from") not in stages[:-1]:
        before_buy = stages[stages.index(buy) - 1] if buy in stages[1:] else stages[0]
        st.session_state["ttc_from"] = before_buy
    first = left.selectbox("From step", stages[:-1], key="ttc_from")
    later = stages[stages.index(first) + 1 :]
    if st.session_state.get("ttc_to") not in later:
        st.session_state["ttc_to"] = buy if buy in later else later[-1]
    last = right.selectbox("To step", later, key="ttc_to")
    timing = _run("time", key, (first, last), (("window", window), ("mode", two_step)), ds)
    st.caption(conversion.describe_time_to_convert(timing, first, last))
    st.altair_chart(time_to_convert_chart(timing, first, last), width="stretch")
with tabs[1]:
    freq = st.radio("Cohorts by", ["week", "month"], horizontal=True, key="trend_freq")
    trend = _run("trend", key, (stages, freq), same, ds)
    st.caption(conversion.describe_trend(trend, stages[0], stages[-1]))
    st.altair_chart(conversion_trend_chart(trend, stages[0], stages[-1], freq))
with tabs[2]:
    group = st.selectbox(
        "Compare groups of", list(BREAKDOWNS)[1:], format_func=BREAKDOWNS.get, key="segments_by"
    )
    table = _run("segments", key, (stages,), (*same, ("by", group)), ds)
    st.caption(segments.describe_segments(table))
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "breakdown": BREAKDOWNS[group],
            "conversion": _percent("Conversion"),
            "overall_conversion": _percent("Overall"),
            "difference": _percent("Difference"),
            "p_value": st.column_config.NumberColumn("p-value", format="%.4f"),
        },
    )
with tabs[3]:
    options = list(range(2, len(stages) + 1))
    if st.session_state.get("dropoff_step") not in options:
        st.session_state["dropoff_step"] = (by is None and largest_drop(frame)) or 2
    step = st.selectbox(
        "Customers lost at",
        options,
        key="dropoff_step",
        format_func=lambda k: f"{stages[k - 1]} (step {k})",
    )
    lost = _run("lost", key, (step, stages), same, ds)
    shown = "" if len(lost) <= 500 else " The table shows the 500 seen most recently."
    st.caption(
        f"{len(lost):,} customers reached {stages[step - 2]} but not {stages[step - 1]}, with "
        f"their latest touchpoint and latest emotion, to follow up.{shown} The downloads hold all."
    )
    st.dataframe(lost.head(500), hide_index=True)
    name = f"lost_at_{stages[step - 1]}".replace(" ", "_")
    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        lost.to_csv(index=False).encode(),
        f"{name}.csv",
        "text/csv",
        key="dropoff_csv",
    )
    right.download_button(
        "Download Excel",
        lambda: excel_report(
            {"Drop-offs": lost}, title=f"Customers lost at {stages[step - 1]}", filters=ds.filters
        ),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dropoff_xlsx",
        on_click="ignore",
    )
