"""Sections of the Funnel page below the funnel: time to convert, conversion over time and
funnel correlation. Each takes the dataset and the page's
:class:`~journeylib.funnel_spec.FunnelSpec` (steps, mode, entry, window, exclusions), so every
section counts the funnel shown above it."""

from __future__ import annotations

import streamlit as st

import journeylib as jl
from dashboard import tables
from dashboard.exports import chart_downloads
from journeylib import conversion, correlation, i18n
from journeylib.charts.correlation import correlation_chart
from journeylib.charts.funnel import conversion_trend_chart, time_to_convert_chart
from journeylib.funnel_spec import FunnelSpec
from journeylib.i18n import t
from journeylib.text import escape_markdown

ANALYSES = {
    "time": conversion.time_to_convert,
    "trend": conversion.conversion_trend,
    "correlation": correlation.funnel_correlation,
}
BIN_CHOICES = ("standard", "auto", "custom")
DEFAULT_EDGES = (1.0, 24.0, 168.0)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached(analysis: str, key: str, args: tuple, options: tuple, _ds):
    return ANALYSES[analysis](_ds, *args, **dict(options))


def _run(analysis: str, ds: jl.Dataset, args: tuple, options: tuple):
    """``ANALYSES[analysis](ds, *args, **options)``, cached per dataset key."""
    with st.spinner(t("funnel.page.working")):
        return _cached(analysis, ds.key, args, options, ds)


def _step_names(spec: FunnelSpec) -> dict[int, str]:
    return {k: f"{k}. {step.name()}" for k, step in enumerate(spec.steps, start=1)}


def _options(spec: FunnelSpec, mode: str | None = None) -> tuple:
    """The spec's settings as cache-friendly keyword pairs (``mode`` overrides its mode)."""
    return (("window", spec.window), ("mode", mode or spec.mode), ("entry", spec.entry),
            ("exclude", tuple(spec.exclusions)))


def time_to_convert(ds: jl.Dataset, spec: FunnelSpec) -> None:
    """Two steps to time, the bins (standard, automatic by the data's spread, or chosen), the
    reading and the histogram. Unordered funnels are timed in order (an unordered funnel has
    no time between two given steps)."""
    names = _step_names(spec)
    stages = [step.name() for step in spec.steps]
    left, right = st.columns(2)
    buy = ds.purchase_stage
    if st.session_state.get("ttc_from") not in list(names)[:-1]:
        before_buy = stages.index(buy) if buy in stages[1:] else 1  # 1-based: the step before
        st.session_state["ttc_from"] = before_buy
    start = left.selectbox(t("funnel.page.from_step"), list(names)[:-1], format_func=names.get,
                           key="ttc_from")
    later = [k for k in names if k > start]
    if st.session_state.get("ttc_to") not in later:
        st.session_state["ttc_to"] = stages.index(buy) + 1 if buy in stages[start:] else later[-1]
    end = right.selectbox(t("funnel.page.to_step"), later, format_func=names.get, key="ttc_to")
    first, last = stages[start - 1], stages[end - 1]
    mode = "strict" if spec.mode == "strict" else "ordered"
    choices = {code: t(f"funnel_sections.bins.{code}") for code in BIN_CHOICES}
    rule = st.radio(t("funnel_sections.bins.label"), list(choices), format_func=choices.get,
                    horizontal=True, key="ttc_bins", help=t("funnel_sections.bins.help"))
    bins: str | tuple[float, ...] = rule
    if rule == "custom":
        # Labels computed here: a format function must not depend on the language at call time.
        names = {h: conversion.format_hours(h) for h in conversion.DURATION_LADDER}
        st.session_state.setdefault("ttc_edges", list(DEFAULT_EDGES))
        edges = st.multiselect(t("funnel_sections.bins.edges"), list(names),
                               format_func=names.get, key="ttc_edges")
        bins = tuple(sorted(edges)) or DEFAULT_EDGES
    pair = (spec.steps[start - 1], spec.steps[end - 1])
    timing = _run("time", ds, pair, (*_options(spec, mode), ("bins", bins)))
    if rule != "standard":
        timing = timing.assign(bin=[
            i18n.say(conversion.bin_name(a, b))
            for a, b in zip(timing["bin_start_hours"], timing["bin_end_hours"], strict=True)
        ])
    st.caption(escape_markdown(i18n.say(conversion.describe_time_to_convert(timing, first, last))))
    chart = time_to_convert_chart(timing, first, last)
    st.altair_chart(chart, width="stretch")
    chart_downloads(chart, "time-to-convert", ds)
    if rule == "auto":
        st.caption(t("funnel_sections.bins.auto_rule", n=len(timing)))


def conversion_trend(ds: jl.Dataset, spec: FunnelSpec) -> None:
    """A pair of steps, the cohort period, the reading and the trend chart, dates in the
    dataset's time zone."""
    names = _step_names(spec)
    stages = [step.name() for step in spec.steps]
    left, middle, right = st.columns(3)
    if st.session_state.get("trend_from") not in list(names)[:-1]:
        st.session_state["trend_from"] = 1
    start = left.selectbox(t("funnel_sections.trend.from"), list(names)[:-1],
                           format_func=names.get, key="trend_from")
    later = [k for k in names if k > start]
    if st.session_state.get("trend_to") not in later:
        st.session_state["trend_to"] = later[-1]
    end = middle.selectbox(t("funnel_sections.trend.to"), later, format_func=names.get,
                           key="trend_to")
    freqs = {"week": t("funnel.page.by_week"), "month": t("funnel.page.by_month")}
    freq = right.radio(t("funnel.page.cohorts"), list(freqs), format_func=freqs.get,
                       horizontal=True, key="trend_freq")
    options = (*_options(spec), ("from_step", start), ("to_step", end))
    trend = _run("trend", ds, (tuple(spec.steps), freq), options)
    first, last = stages[start - 1], stages[end - 1]
    st.caption(escape_markdown(i18n.say(conversion.describe_trend(trend, first, last))))
    chart = conversion_trend_chart(trend, first, last, freq, zone=ds.timezone)
    st.altair_chart(chart)
    chart_downloads(chart, "conversion-trend", ds)
    st.caption(t("funnel_sections.trend.zone", zone=ds.timezone))


def funnel_correlation(ds: jl.Dataset, spec: FunnelSpec) -> None:
    """Touchpoints, channels and segments over- or under-represented among the customers who
    reached the last step: the reading, the chart of odds ratios and the ranked table."""
    stages = [step.name() for step in spec.steps]
    st.caption(t("funnel_sections.correlation.intro", first=escape_markdown(stages[0]),
                 last=escape_markdown(stages[-1])))
    table = _run("correlation", ds, (tuple(spec.steps),), _options(spec))
    st.markdown(f"**{escape_markdown(i18n.say(correlation.describe_correlation(table)))}**")
    st.caption(t("funnel_sections.correlation.not_cause"))
    for note in correlation.correlation_notes(table):
        st.caption(escape_markdown(i18n.say(note)))
    if table.empty:
        return
    chart = correlation_chart(table)
    st.altair_chart(chart, width="stretch", theme=None)
    chart_downloads(chart, "funnel-correlation", ds)
    tables.show(table, _columns(), key="funnel_correlation")
    st.caption(t("funnel_sections.correlation.method", min=correlation.MIN_CUSTOMERS,
                 top=correlation.MAX_VALUES_PER_PROPERTY))


def _columns() -> dict[str, tables.Column]:
    """The correlation table's columns, every value in the interface language."""
    return {
        "property": tables.coded(t("funnel_sections.col.property"),
                                 words=lambda p: t(f"correlation.property.{p}"), pinned=True),
        "value": tables.text(t("funnel_sections.col.value"), pinned=True),
        "converters_with": tables.integer(t("funnel_sections.col.converters_with")),
        "non_converters_with": tables.integer(t("funnel_sections.col.non_converters_with")),
        "share_of_converters": tables.share(t("funnel_sections.col.share_converters")),
        "share_of_non_converters": tables.share(t("funnel_sections.col.share_non_converters")),
        "odds_ratio": tables.interval(t("funnel_sections.col.odds_ratio"), low="ci_low",
                                      high="ci_high", decimals=2),
        "p_value": tables.p_value(t("funnel_sections.col.p_value")),
        "test": tables.coded(t("funnel_sections.col.test"),
                             words=lambda name: t(f"correlation.test.{name}")),
        "q_value": tables.p_value(t("funnel_sections.col.q_value")),
        "direction": tables.coded(t("funnel_sections.col.direction"),
                                  words=lambda d: t(f"correlation.direction.{d}")),
        "significant": tables.flag(t("funnel_sections.col.significant")),
    }
