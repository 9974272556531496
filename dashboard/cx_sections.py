"""CX metrics on the Emotions page (NPS, CSAT, CES by group or month) and the Data page's note
on which of them the score column supports. The numbers come from
:mod:`journeylib.cx_metrics`; this module only chooses the words and the widgets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import journeylib as jl
from dashboard import links, tables
from dashboard.exports import chart_downloads
from dashboard.sections import section
from journeylib import cx_metrics as cx
from journeylib.charts.cx import cx_metric_chart, group_names
from journeylib.i18n import formats, t
from journeylib.text import escape_markdown

# What the metric can be shown by: the four groupings, then the calendar month.
BY = (*cx.GROUPS, "month")
CHART_WIDTH = 680


@st.cache_data(show_spinner=False, max_entries=32)
def _metric(key: str, metric: str, by: str, _ds: jl.Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = (cx.cx_metric_over_time(_ds, metric, "month") if by == "month"
             else cx.cx_metric(_ds, metric, by))
    return frame, cx.cx_metric(_ds, metric)


def _value_text(metric: str, value: float, lang: str) -> str:
    if metric == "nps":
        return formats.signed(value, 0, lang)
    if metric == "csat":
        return formats.share(value, lang)
    return formats.number(value, 2, lang)


def _interval_column(metric: str, lang: str) -> tables.Column:
    title = t("cx.col.value_ci", lang, metric=t(f"cx.metric.{metric}", lang))
    kind, decimals = {"nps": ("signed", 0), "csat": ("share", None), "ces": ("number", 2)}[metric]
    return tables.interval(title, low="ci_low", high="ci_high", kind=kind, decimals=decimals,
                           width="medium")


def _columns(metric: str, by: str, lang: str) -> dict[str, tables.Column]:
    first = "period" if by == "month" else "group"
    out = {
        first: tables.text(t(f"cx.by.{by}", lang), pinned=True),
        "respondents": tables.integer(t("cx.col.respondents", lang)),
        "value": _interval_column(metric, lang),
    }
    if metric == "nps":
        out.update({f"{kind}_share": tables.share(t(f"cx.col.{kind}", lang))
                    for kind in ("promoters", "passives", "detractors")})
    out["valence_mean"] = tables.signed(t("cx.col.valence", lang))
    out["enough_data"] = tables.flag(t("cx.col.enough", lang))
    return out


def _refusals(ds: jl.Dataset, lang: str) -> str:
    """Why each metric does not fit, one sentence each, in ``lang``."""
    scale = cx.score_scale(ds)
    reasons = [cx.MetricRefused(m, r, scale).words(lang)
               for m in cx.METRICS if (r := cx.refusal(ds, m)) is not None]
    return " ".join(dict.fromkeys(reasons))


def cx_section(ds: jl.Dataset, lang: str) -> None:
    """The CX metrics section: a metric (only those the score scale fits), a grouping, the
    chart with intervals, a one-line overall figure and the table; when no metric fits, the
    reason for each, in ``lang``."""
    st.subheader(t("cx.page.title", lang))
    with section("cx"):
        metrics = cx.supported_metrics(ds)
        if not metrics:
            st.info(t("cx.page.none", lang) + " " + _refusals(ds, lang))
            return
        st.caption(t("cx.page.intro", lang))
        # In the page's link (?cx=nps&cx_by=segment); a value the data does not support
        # falls back to the first metric / the stage, and the page says so.
        links.bind_choice("cx_metric", "cx", metrics, metrics[0])
        links.bind_choice("cx_by", "cx_by", list(BY), "stage")
        left, right = st.columns([1, 2])
        metric = left.segmented_control(
            t("cx.page.metric", lang), metrics, key="cx_metric",
            format_func=lambda code: t(f"cx.metric.{code}", lang)) or metrics[0]
        by = right.segmented_control(
            t("cx.page.group_by", lang), list(BY), key="cx_by",
            format_func=lambda code: t(f"cx.by.{code}", lang)) or "stage"
        with st.spinner(t("cx.page.spinner", lang)):
            frame, overall = _metric(ds.key, metric, by, ds)
        if overall.empty:
            st.info(t("cx.page.no_answers", lang))
            return
        row = overall.iloc[0]
        values = {k: _value_text(metric, row[k], lang) for k in ("value", "ci_low", "ci_high")}
        st.markdown("**" + escape_markdown(t(
            "cx.page.headline", lang, metric=t(f"cx.metric.{metric}", lang),
            value=values["value"], low=values["ci_low"], high=values["ci_high"],
            answers=t("cx.page.answers", lang, n=int(row["respondents"])))) + "**")
        if not frame.empty:
            chart = cx_metric_chart(frame, metric, by, scale=cx.score_scale(ds),
                                    width=CHART_WIDTH)
            st.altair_chart(chart, width="content", theme=None)
            chart_downloads(chart, f"cx-{metric}-by-{by}", ds)
        shown = frame.copy()
        if by == "month":
            shown["period"] = [formats.month(pd.Timestamp(d).date(), lang)
                               for d in shown["period_start"]]
        else:
            shown["group"] = group_names(shown["group"])
        tables.show(shown, _columns(metric, by, lang), key="cx_table")
        st.caption(t(f"cx.definition.{metric}", lang) + " "
                   + t("cx.page.few", lang, n=cx.MIN_RESPONDENTS))


def support_note(ds: jl.Dataset, lang: str) -> None:
    """One caption on the Data page: which CX metrics the score column's scale supports."""
    scale = cx.score_scale(ds)
    if scale is None:
        st.caption(t("cx.data.no_scores", lang))
        return
    names = [t(f"cx.metric.{m}", lang) for m in cx.supported_metrics(ds)]
    low, high = scale
    if not names:
        st.caption(t("cx.data.supports_none", lang, low=low, high=high))
        return
    listed = names[0] if len(names) == 1 else t("cx.data.and", lang, a=", ".join(names[:-1]),
                                                   b=names[-1])
    st.caption(t("cx.data.supports", lang, low=low, high=high, metrics=listed))
