"""The Journeys page's intended-path section: the team states the path it intends, the page
shows how many customers followed it and how those who deviated converted.

The path is kept in the link as the repeated parameter ``norm`` (one value per stage,
:meth:`journeylib.normative.NormativePath.items`; absent while it is the data's own stage order)
and the deviation shown in detail as ``norm_detail``.
"""

from __future__ import annotations

import math

import streamlit as st

import journeylib as jl
from dashboard import links, tables
from dashboard.exports import chart_downloads
from dashboard.sections import section
from journeylib import normative as nm
from journeylib.charts.normative import conformance_chart
from journeylib.i18n import formats, t
from journeylib.text import escape_markdown

STAGES_KEY = "norm_stages"
DETAIL_KEY = "norm_detail"
PARAM = "norm"


def _tp_key(stage: str) -> str:
    return f"norm_tp::{stage}"


@st.cache_data(show_spinner=False, max_entries=16)
def _conformance(key: str, spec_text: str, _ds):
    return nm.path_conformance(_ds, nm.NormativePath.from_text(spec_text))


@st.cache_data(show_spinner=False, max_entries=32)
def _details(key: str, spec_text: str, kind: str, _ds):
    return nm.deviation_details(_ds, nm.NormativePath.from_text(spec_text), kind)


@st.cache_data(show_spinner=False, max_entries=16)
def _touchpoints(key: str, _ds):
    return nm.touchpoint_options(_ds)


def _kind_words(kind: str) -> str:
    return t(f"normative.kind.{kind}")


def _seed_from_link(stages: list[str], touchpoints: list[str]) -> None:
    """Once per session: the link's intended path becomes the controls' values; stages or
    touchpoints the data does not have are left out, and the page says so."""
    seeded = st.session_state.setdefault("_link_seeded", set())
    if STAGES_KEY in seeded:
        return
    seeded.add(STAGES_KEY)
    texts = st.query_params.get_all(PARAM)
    if not texts or not links._fits(PARAM, texts):
        return
    try:
        spec = nm.NormativePath.from_items(texts)
    except ValueError:
        links.note("bad_value", param=PARAM, value=links.quoted(texts[0]),
                   used=links.quoted(" → ".join(stages)))
        return
    unknown = [s for s in spec.stages if s not in stages]
    unknown += [v for s in spec.stages for v in spec.expected(s) if v not in touchpoints]
    if unknown:
        links.note("unknown_values", param=PARAM, n=len(unknown),
                   values=", ".join(links.quoted(v) for v in unknown[:5]))
    kept = [s for s in spec.stages if s in stages]
    if kept:
        st.session_state[STAGES_KEY] = kept
        for stage in kept:
            st.session_state[_tp_key(stage)] = [v for v in spec.expected(stage)
                                                if v in touchpoints]


def _controls(ds: jl.Dataset) -> nm.NormativePath | None:
    """The intended path as chosen (None when no stage is chosen); records it in the link."""
    stages = list(ds.stages)
    touchpoints = _touchpoints(ds.key, ds)
    _seed_from_link(stages, touchpoints)
    before = st.session_state.get(STAGES_KEY, stages)
    chosen = [s for s in before if s in stages]
    # A path chosen for other data, none of whose stages this data has: the data's order.
    st.session_state[STAGES_KEY] = chosen if chosen or not before else stages
    st.multiselect(t("normative.section.stages"), stages, key=STAGES_KEY,
                   help=t("normative.section.stages_help"))
    chosen = list(st.session_state[STAGES_KEY])
    expected: dict[str, tuple[str, ...]] = {}
    with st.expander(t("normative.section.touchpoints")):
        for stage in chosen:
            key = _tp_key(stage)
            st.session_state[key] = [v for v in st.session_state.get(key, [])
                                     if v in touchpoints]
            st.multiselect(t("normative.section.touchpoints_for", stage=stage), touchpoints,
                           key=key, help=t("normative.section.touchpoints_help"))
            if st.session_state[key]:
                expected[stage] = tuple(st.session_state[key])
    if not chosen:
        links.record(PARAM, None)
        return None
    spec = nm.NormativePath(tuple(chosen), expected or None)
    is_default = spec.stages == tuple(stages) and spec.touchpoints is None
    links.record(PARAM, None if is_default else spec.items())
    return spec


def _reading(frame) -> str:
    code, values = nm.describe(frame)
    if code == "followed_and_top":
        values = {**values, "kind": _kind_words(str(values["kind"]))}
        difference = values.pop("difference")
        if isinstance(difference, float) and math.isfinite(difference):
            values["difference"] = formats.points(difference, 1)
        else:
            code = "followed_and_top_plain"
    return t(f"normative.describe.{code}", **values)


def show(ds: jl.Dataset) -> None:
    """Draw the section on the Journeys page."""
    st.subheader(t("normative.section.title"))
    st.caption(t("normative.section.intro"))
    with section("normative"):
        spec = _controls(ds)
        if spec is None:
            st.info(t("normative.section.choose"))
            return
        with st.spinner(t("normative.section.working")):
            frame = _conformance(ds.key, spec.to_text(), ds)
        st.markdown(f"**{escape_markdown(_reading(frame))}**")
        tables.show(frame, {
            "kind": tables.coded(t("normative.section.col_kind"), words=_kind_words,
                                 pinned=True, width=240),
            "customers": tables.integer(t("normative.section.col_customers"), width="small"),
            "share": tables.share(t("normative.section.col_share"), width=100),
            "converted": tables.integer(t("normative.section.col_converted"), width=100),
            "conversion_rate": tables.interval(
                t("normative.section.col_conversion"), low="conversion_low",
                high="conversion_high", kind="share", width=170),
            "median_hours": tables.number(t("normative.section.col_median"), 1, width=120,
                                          help=t("normative.section.col_median_help")),
            "difference": tables.interval(
                t("normative.section.col_difference"), low="difference_low",
                high="difference_high", kind="points", decimals=1, width=200,
                help=t("normative.section.col_difference_help")),
        }, key="normative_table")
        if (frame["customers"] > 0).any():
            chart = conformance_chart(frame)
            st.altair_chart(chart)
            chart_downloads(chart, "intended-path", ds)
        _show_details(ds, spec)
        st.caption(t("normative.section.footnote"))


def _show_details(ds: jl.Dataset, spec: nm.NormativePath) -> None:
    st.markdown(f"**{escape_markdown(t('normative.section.details'))}**")
    kinds = list(nm.DEVIATIONS)
    links.bind_choice(DETAIL_KEY, "norm_detail", kinds, kinds[0])
    # The words fixed now: a test harness may call the format function outside the run.
    words = {k: _kind_words(k) for k in kinds}
    kind = st.selectbox(t("normative.section.details_kind"), kinds, format_func=words.get,
                        key=DETAIL_KEY)
    details = _details(ds.key, spec.to_text(), kind, ds)
    if details.empty:
        st.info(t("normative.section.no_details"))
        return
    columns = {"stage": tables.text(t("normative.section.col_stage"), pinned=True)}
    if kind == nm.BACK:
        columns["to_stage"] = tables.text(t("normative.section.col_to_stage"))
    if kind == nm.OUTSIDE:
        columns["touchpoint"] = tables.text(t("normative.section.col_touchpoint"))
    columns.update({
        "customers": tables.integer(t("normative.section.col_customers"), width="small"),
        "share": tables.share(t("normative.section.col_share"), width=100),
        "conversion_rate": tables.share(t("normative.section.col_conversion"), width=100),
    })
    tables.show(details, columns, key="normative_details")
