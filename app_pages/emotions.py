"""Emotions page: emotion curve, timeline, pain and delight points, moments of truth, quotes."""

import streamlit as st

import journeylib as jl
from dashboard import language, links, session, tables
from dashboard.cx_sections import cx_section
from dashboard.exports import chart_downloads
from dashboard.sections import section
from dashboard.themes_section import themes_section
from journeylib import emotion as em
from journeylib import moments as mo
from journeylib.charts.emotion import emotion_curve_chart, emotion_timeline_chart, moments_chart
from journeylib.i18n import formats, t
from journeylib.report import column_header
from journeylib.text import escape_markdown


def _point_columns() -> dict:
    return {
        "touchpoint": tables.text(t("emotions.by.touchpoint"), pinned=True),
        "stage": tables.text(t("emotions.by.stage")),
        "customers": tables.integer(t("emotions.page.col_customers")),
        "n": tables.integer(t("emotions.chart.ratings")),
        "valence_mean": tables.interval(t("emotions.page.col_valence_ci"), low="ci_low",
                                        high="ci_high", kind="signed", width="medium"),
        "share_negative": tables.share(t("emotions.chart.negative")),
        "share_positive": tables.share(t("emotions.chart.positive")),
        "severity": tables.number(t("emotions.page.col_severity"), 2),
        "score": tables.number(t("emotions.page.col_score"), 0),
        "enough_data": tables.flag(t("emotions.page.col_enough")),
        "significant": tables.flag(t("emotions.page.col_significant")),
    }


def _moment_columns(moments) -> dict:
    known = {
        "touchpoint": tables.text(column_header("touchpoint"), pinned=True),
        "status": tables.coded(column_header("status")),
        "effect": tables.interval(column_header("effect"), low="ci_low", high="ci_high",
                                  kind="points", width="medium"),
        "p_value": tables.p_value(column_header("p_value")),
        "opportunity": tables.interval(column_header("opportunity"), low="opportunity_low",
                                       high="opportunity_high", decimals=0, width="medium"),
    }
    out = {}
    for name in moments.columns:
        if name in ("ci_low", "ci_high", "opportunity_low", "opportunity_high"):
            continue
        if name in known:
            out[name] = known[name]
        elif moments[name].dtype.kind in "iu":
            out[name] = tables.integer(column_header(name))
        elif moments[name].dtype.kind == "f":
            out[name] = (tables.share(column_header(name)) if "rate" in name or "share" in name
                         else tables.number(column_header(name), 2))
        else:
            out[name] = tables.text(column_header(name))
    return out


def _quotes(notes, zone: str | None) -> None:
    """Each note in full, wrapped, in the language's quotes, with its local date and where it
    was said (a scrolling box, so 50 quotes don't push the page down)."""
    lang = language.current()
    with st.container(height=460, border=True):
        for row in notes.itertuples(index=False):
            st.markdown(escape_markdown(t("emotions.page.quote", lang, value=str(row.note))))
            where = {"date": formats.date_time(row.timestamp, lang, zone),
                     "touchpoint": row.touchpoint, "stage": row.stage or formats.EMPTY}
            if row.valence is None or row.valence != row.valence:
                st.caption(escape_markdown(t("emotions.page.quote_meta_unrated", lang, **where)))
            else:
                st.caption(escape_markdown(t("emotions.page.quote_meta", lang, **where,
                                             valence=formats.signed(row.valence, 2, lang))))


@st.cache_data(show_spinner=False, max_entries=32)
def _curve(key: str, by: str, _ds):
    return em.emotion_curve(_ds, by), em.journey_score(_ds)


@st.cache_data(show_spinner=False, max_entries=32)
def _timeline(key: str, freq: str, per_stage: bool, _ds):
    return em.emotion_timeline(_ds, freq, by="stage" if per_stage else None)


@st.cache_data(show_spinner=False, max_entries=16)
def _points(key: str, _ds):
    return em.pain_points(_ds), em.delight_points(_ds)


@st.cache_data(show_spinner=False, max_entries=32)
def _moments(key: str, outcome: str, adjust: bool, _ds):
    return mo.moments_of_truth(_ds, outcome, adjust=adjust)


@st.cache_data(show_spinner=False, max_entries=32)
def _notes(key: str, touchpoint: str, _ds):
    return em.verbatims(_ds, touchpoint=touchpoint, limit=50)


def _outcome_label():
    """Outcome names for the choice: the three outcomes by name, a stage as "Reaching «X»"
    (so a stage called "Purchase" is not mistaken for the purchase outcome)."""
    lang = language.current()
    return lambda v: (t(f"emotions.outcome_name.{v}", lang) if v in mo.OUTCOMES
                      else t("emotions.page.outcome_stage", lang, stage=v))


def _labeller(prefix: str, codes=None):
    """A format_func showing the code's text in this run's language (bound now, because a
    widget may format its options outside the run)."""
    lang = language.current()
    return lambda v: t(f"{prefix}.{v}", lang) if codes is None or v in codes else v


st.title(t("emotions.page.title"))
st.caption(t("emotions.page.intro"))
ds = session.require_dataset()
key = ds.key

links.bind_choice("emo_by", "by", list(em.CURVE_KEYS), "stage")
st.session_state.setdefault("emo_by", "stage")
with section("curve"):
    by = st.segmented_control(t("emotions.page.curve_by"), list(em.CURVE_KEYS),
                              format_func=_labeller("emotions.by"), key="emo_by") or "stage"
    with st.spinner(t("emotions.page.spinner_curve")):
        curve, score = _curve(key, by, ds)
    st.markdown(f"**{escape_markdown(em.describe_curve(curve, by))}**")
    if not curve.empty:
        chart = emotion_curve_chart(curve, by)
        st.altair_chart(chart, width="stretch", theme=None)
        chart_downloads(chart, f"emotion-curve-by-{by}", ds)
    st.caption(em.describe_journey_score(score))

cx_section(ds, language.current())

st.subheader(t("emotions.page.over_time"))
links.bind_choice("emo_freq", "freq", list(em.FREQS), "week")
links.bind("emo_per_stage", "per_stage", False, to_text=lambda v: "1" if v else "0",
           from_text=lambda v: v == "1")
st.session_state.setdefault("emo_freq", "week")
with section("timeline"):
    left, right = st.columns([2, 1])
    freq = left.segmented_control(t("emotions.page.period"), list(em.FREQS),
                                  format_func=_labeller("emotions.freq"),
                                  key="emo_freq") or "week"
    per_stage = right.toggle(t("emotions.page.per_stage"), key="emo_per_stage")
    with st.spinner(t("emotions.page.spinner_timeline")):
        timeline = _timeline(key, freq, per_stage, ds)
        overall = timeline if not per_stage else _timeline(key, freq, False, ds)
    st.markdown(f"**{em.describe_timeline(overall, freq)}**")
    if not timeline.empty:
        chart = emotion_timeline_chart(timeline, freq, zone=ds.timezone)
        st.altair_chart(chart, width="stretch", theme=None)
        chart_downloads(chart, f"emotion-timeline-{freq}", ds)

st.subheader(t("emotions.page.points"))
pains = None
with section("points"):
    with st.spinner(t("emotions.page.spinner_points")):
        pains, delights = _points(key, ds)
    # One above the other at full width: side by side, the interval column was cut off.
    st.markdown(f"**{escape_markdown(em.describe_points(pains, 'pain'))}**")
    tables.show(pains, _point_columns(), key="emo_pains")
    st.markdown(f"**{escape_markdown(em.describe_points(delights, 'delight'))}**")
    tables.show(delights, _point_columns(), key="emo_delights")
    st.caption(t("emotions.page.severity_note", n=em.MIN_TOUCHPOINT_N))

st.subheader(t("emotions.page.moments"))
outcomes = [*mo.OUTCOMES, *ds.stages]
links.bind_choice("emo_outcome", "outcome", outcomes, "purchase")
with section("moments"):
    left, right = st.columns([2, 1])
    outcome = left.selectbox(t("emotions.page.outcome"), outcomes, key="emo_outcome",
                             format_func=_outcome_label(),
                             help=t("emotions.page.outcome_help"))
    adjust = right.toggle(t("emotions.page.adjust"), key="emo_adjust",
                          help=t("emotions.page.adjust_help"))
    try:
        with st.spinner(t("emotions.page.spinner_moments")):
            moments = _moments(key, outcome, adjust, ds)
    except jl.DataError as exc:  # no purchase information: a known state, not a failure
        st.warning(escape_markdown(exc))
    else:
        st.markdown(f"**{escape_markdown(mo.describe_moment(moments, outcome))}**")
        if sampled := mo.describe_sample(moments):
            st.caption(sampled)
        if (moments["status"] == "ok").any():
            chart = moments_chart(moments, outcome)
            st.altair_chart(chart, width="stretch", theme=None)
            chart_downloads(chart, f"moments-of-truth-{outcome}", ds)
        else:
            st.info(t("emotions.page.no_moments_chart", n=mo.MIN_GROUP))
        with st.expander(t("emotions.page.all_touchpoints")):
            tables.show(moments, _moment_columns(moments), key="emo_moments")
        st.caption(t("emotions.page.association_note"))

themes_section(ds, language.current())

st.subheader(t("emotions.page.voice"))
with section("voice"):
    choices = _curve(key, "touchpoint", ds)[0]["touchpoint"].tolist()
    if choices:
        first = pains["touchpoint"].iloc[0] if pains is not None and len(pains) else choices[0]
        touchpoint = st.selectbox(t("emotions.by.touchpoint"), choices,
                                  index=choices.index(first), key="emo_quotes_tp")
        notes = _notes(key, touchpoint, ds)
        st.caption(t("emotions.page.notes_caption", n=len(notes),
                     touchpoint=escape_markdown(touchpoint)))
        _quotes(notes, ds.timezone)
    else:
        st.info(t("emotions.page.no_quotes"))
