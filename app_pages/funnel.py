"""Funnel page: customers per step, time to convert, conversion over time, segments, drop-offs
and the customers who reached a step."""

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import funnel_controls, funnel_sections, language, session, tables
from dashboard.exports import chart_downloads, failure_notice, reported
from journeylib import i18n, limits, segments
from journeylib.charts.funnel import funnel_chart
from journeylib.funnel import (
    breakdown_label,
    breakdown_table,
    describe_funnel,
    describe_journey_parts,
    drop_offs,
    funnel,
    journey_parts,
    largest_drop,
    reached,
)
from journeylib.i18n import formats, label, t
from journeylib.report import excel_report
from journeylib.text import csv_bytes, escape_markdown

ANALYSES = {
    "funnel": funnel,
    "segments": segments.compare_segments,
    "lost": drop_offs,
    "reached": reached,
}
SHOWN_LOST = 500


@st.cache_data(show_spinner=False, max_entries=64)
def _cached(analysis: str, key: str, args: tuple, options: tuple, _ds):
    return ANALYSES[analysis](_ds, *args, **dict(options))


def _run(analysis: str, key: str, args: tuple, options: tuple, ds):
    """``ANALYSES[analysis](ds, *args, **options)``, cached per dataset ``key``."""
    with st.spinner(t("funnel.page.working")):
        return _cached(analysis, key, args, options, ds)


def _workbook(lost: pd.DataFrame, sheet: str, title: str, filters: str, lang: str) -> bytes:
    # Built when the button is clicked, outside the page's run: set the language again.
    with i18n.language(lang):
        return excel_report({sheet: lost}, title=title, filters=filters)


def _people_table(people: pd.DataFrame, stage_title: str, at_key: str) -> None:
    """The first customers of a drop-off or reached list, in the interface language; ``at_key``
    the locale key of the "reached at (zone)" header."""
    zone = tables.current_zone() or "UTC"
    tables.show(people.head(SHOWN_LOST), {
        "customer_id": tables.text(t("funnel.page.col_customer_id"), pinned=True),
        "reached_stage": tables.text(stage_title),
        "reached_at": tables.moment(t(at_key, zone=zone)),
        "last_seen": tables.moment(t("funnel.page.col_last_seen", zone=zone)),
        "last_stage": tables.text(t("funnel.page.col_last_stage")),
        "last_touchpoint": tables.text(t("funnel.page.col_last_touchpoint")),
        "last_channel": tables.text(t("funnel.page.col_last_channel")),
        "touchpoints": tables.integer(t("funnel.page.col_touchpoints")),
        "last_rated_touchpoint": tables.text(t("funnel.page.col_last_rated_touchpoint")),
        "last_emotion": tables.text(t("funnel.page.col_last_emotion")),
        "last_valence": tables.signed(t("funnel.page.col_last_valence"), 2),
        "segment": tables.text(t("funnel.page.col_segment")),
    }, keep_others=True)


def _breakdown_table(frame: pd.DataFrame, title: str) -> None:
    """The groups of a broken-down funnel side by side: customers and share of step 1 at each
    step, then the group's conversion."""
    wide = breakdown_table(frame)
    names = dict(zip(frame["step"].astype(int), frame["stage"], strict=False))
    columns = {"breakdown": tables.coded(title, words=breakdown_label, pinned=True)}
    for k, stage in names.items():
        columns[f"customers_{k}"] = tables.count_share(f"{k}. {stage}", share=f"share_{k}")
    columns["conversion"] = tables.share(t("funnel.page.col_group_conversion"))
    st.markdown(f"**{t('funnel.page.breakdown_table')}**",
                help=t("funnel.page.breakdown_table_help"))
    tables.show(wide, columns, key="funnel_breakdown_table")


def _downloads(people: pd.DataFrame, name: str, prefix: str, what: str, sheet: str,
               title: str) -> None:
    """CSV and Excel downloads of a whole list of customers (widget keys ``{prefix}_csv`` and
    ``{prefix}_xlsx``)."""
    name = name.replace(" ", "_")
    left, right = st.columns(2)
    left.download_button(
        t("funnel.page.download_csv"),
        csv_bytes(people),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{prefix}_csv",
    )
    failure_notice(f"{prefix}_xlsx", what)
    right.download_button(
        t("funnel.page.download_excel"),
        reported(partial(
            _workbook, people, sheet, title, i18n.filters_text(ds.filters), language.current(),
        ), f"{prefix}_xlsx"),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{prefix}_xlsx",
        on_click="ignore",
    )


ds = session.require_dataset()
st.title(t("funnel.page.title"))
st.caption(t("funnel.page.intro"))

spec = funnel_controls.spec(ds)
if spec is None:
    st.stop()
steps = spec.steps
stages = tuple(s.name() for s in steps)
window, by, mode, entry = spec.window, spec.breakdown, spec.mode, spec.entry
breakdowns = funnel_controls.breakdowns()
by_key = by or "none"
key = ds.key
# Time to convert, trend and segments (their own sections) take the order and window.
same = (("window", window), ("mode", mode))
mine = (*same, ("entry", entry), ("exclude", spec.exclusions))
two_step = "strict" if mode == "strict" else "ordered"  # "any" has no time between steps

try:
    frame = _run("funnel", key, (steps,), (*mine, ("by", by)), ds)
except limits.LimitError as exc:  # more steps than a funnel may have, e.g. from a link
    st.error(limits.limit_sentence(exc))
    st.stop()
st.markdown(f"**{escape_markdown(describe_funnel(frame))}**")
chart = funnel_chart(frame)
st.altair_chart(chart, width="stretch")
chart_downloads(chart, "funnel", ds)
if by is None:
    parts = journey_parts(frame)
    for column, part in zip(st.columns(2), parts.itertuples(index=False), strict=False):
        column.metric(
            t(
                "funnel.page.part",
                journey=label(part.journey),
                first=escape_markdown(part.from_stage),
                last=escape_markdown(part.to_stage),
            ),
            formats.share(part.conversion),
            help=t("funnel.page.part_help", reached=part.reached, entered=part.entered),
        )
    if not parts.empty:
        st.caption(escape_markdown(describe_journey_parts(parts)))
else:
    _breakdown_table(frame, breakdowns[by_key])
with st.expander(t("funnel.page.numbers")):
    tables.show(frame, {
        "breakdown": tables.coded(breakdowns[by_key], words=breakdown_label, pinned=True),
        "step": tables.integer(t("funnel.page.col_step")),
        "stage": tables.text(t("funnel.page.col_stage"), pinned=by is None),
        "journey": tables.coded(t("funnel.page.col_journey")),
        "customers": tables.integer(t("funnel.page.col_customers")),
        "conversion_from_previous": tables.share(t("funnel.page.col_from_previous")),
        "conversion_from_start": tables.share(t("funnel.page.col_from_start")),
        "drop_off": tables.integer(t("funnel.page.col_drop_off")),
        "median_hours_from_previous": tables.number(t("funnel.page.col_median_hours"), 1),
        "p90_hours_from_previous": tables.number(t("funnel.page.col_p90_hours"), 1),
    }, key="funnel_numbers")

if len(stages) < 2:
    st.stop()
tabs = st.tabs(
    [
        t("funnel.page.tab_time"),
        t("funnel.page.tab_trend"),
        t("funnel.page.tab_segments"),
        t("funnel.page.tab_lost"),
        t("funnel.page.tab_reached"),
        t("funnel_sections.tab_correlation"),
    ]
)
with tabs[0]:
    funnel_sections.time_to_convert(ds, spec)
with tabs[1]:
    funnel_sections.conversion_trend(ds, spec)
with tabs[5]:
    funnel_sections.funnel_correlation(ds, spec)
with tabs[2]:
    group = st.selectbox(
        t("funnel.page.compare"),
        list(breakdowns)[1:],
        format_func=breakdowns.get,
        key="segments_by",
    )
    table = _run("segments", key, (steps,), (*mine, ("by", group)), ds)
    st.caption(escape_markdown(segments.describe_segments(table)))
    tables.show(table, {
        "breakdown": tables.coded(breakdowns[group], words=breakdown_label, pinned=True),
        "entered": tables.integer(t("funnel.page.col_entered")),
        "converted": tables.integer(t("funnel.page.col_converted")),
        "conversion": tables.share(t("funnel.page.col_conversion")),
        "overall_conversion": tables.share(t("funnel.page.col_overall")),
        "difference": tables.points(t("funnel.page.col_difference")),
        "p_value": tables.p_value(t("funnel.page.col_p_value")),
        "verdict": tables.coded(t("funnel.page.col_verdict")),
    }, key="funnel_segments")
with tabs[3]:
    options = list(range(2, len(stages) + 1))
    if st.session_state.get("dropoff_step") not in options:
        st.session_state["dropoff_step"] = (by is None and largest_drop(frame)) or 2
    # Labels computed here: a format function must not depend on the language at call time.
    names = {k: t("funnel.page.lost_option", stage=stages[k - 1], step=k) for k in options}
    step = st.selectbox(
        t("funnel.page.lost_at"), options, key="dropoff_step", format_func=names.get
    )
    lost = _run("lost", key, (step, steps), mine, ds)
    caption = [
        t("funnel.page.lost_caption", n=len(lost), before=escape_markdown(stages[step - 2]),
          at=escape_markdown(stages[step - 1]))
    ]
    if len(lost) > SHOWN_LOST:
        caption.append(t("funnel.page.lost_shown", n=SHOWN_LOST))
    st.caption(" ".join([*caption, t("funnel.page.lost_downloads")]))
    _people_table(lost, t("funnel.page.col_reached_stage"), "funnel.page.col_reached_at")
    _downloads(lost, f"lost_at_{stages[step - 1]}", "dropoff", t("exports.what.lost"),
               t("funnel.page.lost_sheet"), t("funnel.page.lost_title", stage=stages[step - 1]))
with tabs[4]:
    options = list(range(1, len(stages) + 1))
    if st.session_state.get("reached_step") not in options:
        st.session_state["reached_step"] = len(stages)
    names = {k: t("funnel.page.lost_option", stage=stages[k - 1], step=k) for k in options}
    step = st.selectbox(
        t("funnel.page.reached_at"), options, key="reached_step", format_func=names.get
    )
    people = _run("reached", key, (step, steps), mine, ds)
    caption = [t("funnel.page.reached_caption", n=len(people),
                 at=escape_markdown(stages[step - 1]))]
    if len(people) > SHOWN_LOST:
        caption.append(t("funnel.page.lost_shown", n=SHOWN_LOST))
    st.caption(" ".join([*caption, t("funnel.page.lost_downloads")]))
    _people_table(people, t("funnel.page.col_step_reached"), "funnel.page.col_step_reached_at")
    _downloads(people, f"reached_{stages[step - 1]}", "reached", t("funnel.page.reached_what"),
               t("funnel.page.reached_sheet"),
               t("funnel.page.reached_title", stage=stages[step - 1]))
