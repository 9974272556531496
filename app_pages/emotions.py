"""Emotions page: emotion curve, timeline, pain and delight points, moments of truth, quotes."""

import streamlit as st

import journeylib as jl
from dashboard import links, session
from dashboard.exports import chart_downloads
from journeylib import emotion as em
from journeylib import moments as mo
from journeylib.charts.emotion import emotion_curve_chart, emotion_timeline_chart, moments_chart

BY = {"stage": "Stage", "touchpoint": "Touchpoint", "channel": "Channel"}
FREQ = {"day": "Day", "week": "Week", "month": "Month"}
POINT_COLUMNS = {
    "touchpoint": st.column_config.TextColumn("Touchpoint"),
    "stage": st.column_config.TextColumn("Stage"),
    "customers": st.column_config.NumberColumn("Customers", format="%d"),
    "n": st.column_config.NumberColumn("Ratings", format="%d"),
    "valence_mean": st.column_config.NumberColumn("Mean valence", format="%+.2f"),
    "ci_low": st.column_config.NumberColumn("95% CI from", format="%+.2f"),
    "ci_high": st.column_config.NumberColumn("95% CI to", format="%+.2f"),
    "share_negative": st.column_config.NumberColumn("Negative", format="percent"),
    "share_positive": st.column_config.NumberColumn("Positive", format="percent"),
    "severity": st.column_config.NumberColumn("Severity (0-1)", format="%.2f"),
    "score": st.column_config.NumberColumn("Severity × customers", format="%.0f"),
    "enough_data": st.column_config.CheckboxColumn("Enough ratings"),
}


@st.cache_data(show_spinner="Computing the emotion curve…", max_entries=32)
def _curve(key: str, by: str, _ds):
    return em.emotion_curve(_ds, by), em.journey_score(_ds)


@st.cache_data(show_spinner="Computing the timeline…", max_entries=32)
def _timeline(key: str, freq: str, per_stage: bool, _ds):
    return em.emotion_timeline(_ds, freq, by="stage" if per_stage else None)


@st.cache_data(show_spinner="Ranking pain and delight points…", max_entries=16)
def _points(key: str, _ds):
    return em.pain_points(_ds), em.delight_points(_ds)


@st.cache_data(show_spinner="Finding moments of truth…", max_entries=32)
def _moments(key: str, outcome: str, adjust: bool, _ds):
    return mo.moments_of_truth(_ds, outcome, adjust=adjust)


@st.cache_data(max_entries=32)
def _notes(key: str, touchpoint: str, _ds):
    return em.verbatims(_ds, touchpoint=touchpoint, limit=50)


st.title("Emotions")
st.caption(
    "How customers feel along the journey, where it hurts, and which experiences change what "
    "they do next. Valence is the emotion on a -1 (worst) to +1 (best) scale; intervals are "
    "95% (Student-t for means, Wald for differences)."
)
ds = session.require_dataset()
key = ds.key

links.bind("emo_by", "by", "stage", from_text=lambda v: v if v in BY else "stage")
st.session_state.setdefault("emo_by", "stage")
by = st.segmented_control("Curve by", list(BY), format_func=BY.get, key="emo_by") or "stage"
curve, score = _curve(key, by, ds)
st.markdown(f"**{em.describe_curve(curve, by)}**")
chart = emotion_curve_chart(curve, by)
st.altair_chart(chart, width="stretch", theme=None)
chart_downloads(chart, f"emotion-curve-by-{by}", ds)
st.caption(em.describe_journey_score(score))

st.subheader("Over time")
links.bind("emo_freq", "freq", "week", from_text=lambda v: v if v in FREQ else "week")
links.bind("emo_per_stage", "per_stage", False, to_text=lambda v: "1" if v else "0",
           from_text=lambda v: v == "1")
st.session_state.setdefault("emo_freq", "week")
left, right = st.columns([2, 1])
freq = left.segmented_control("Period", list(FREQ), format_func=FREQ.get,
                              key="emo_freq") or "week"
per_stage = right.toggle("One line per stage", key="emo_per_stage")
timeline = _timeline(key, freq, per_stage, ds)
overall = timeline if not per_stage else _timeline(key, freq, False, ds)
st.markdown(f"**{em.describe_timeline(overall, freq)}**")
chart = emotion_timeline_chart(timeline, freq)
st.altair_chart(chart, width="stretch", theme=None)
chart_downloads(chart, f"emotion-timeline-{freq}", ds)

st.subheader("Pain and delight points")
pains, delights = _points(key, ds)
left, right = st.columns(2)
with left:
    st.markdown(f"**{em.describe_points(pains, 'pain')}**")
    st.dataframe(pains, hide_index=True, column_config=POINT_COLUMNS, key="emo_pains")
with right:
    st.markdown(f"**{em.describe_points(delights, 'delight')}**")
    st.dataframe(delights, hide_index=True, column_config=POINT_COLUMNS, key="emo_delights")
st.caption(
    "Severity: how negative (or positive) a rating there is on average, 0 to 1; only "
    "touchpoints beyond the average touchpoint are listed, ranked by severity × customers."
)

st.subheader("Moments of truth")
outcomes = ["purchase", "retention", "advocacy", *ds.stages]
links.bind("emo_outcome", "outcome", "purchase",
           from_text=lambda v: v if v in outcomes else "purchase")
left, right = st.columns([2, 1])
outcome = left.selectbox("Outcome", outcomes, key="emo_outcome",
                         help="Measured only after the touchpoint, among customers for whom "
                         "it was still open (e.g. not yet bought, for purchase).")
adjust = right.toggle("Adjust for other touchpoints (key-driver model)", key="emo_adjust",
                      help="A logistic model over all touchpoints at once separates "
                      "touchpoints whose experiences only go together.")
try:
    moments = _moments(key, outcome, adjust, ds)
except jl.DataError as exc:
    st.warning(str(exc))
else:
    st.markdown(f"**{mo.describe_moment(moments, outcome)}**")
    chart = moments_chart(moments, outcome)
    st.altair_chart(chart, width="stretch", theme=None)
    chart_downloads(chart, f"moments-of-truth-{outcome}", ds)
    with st.expander("All touchpoints, with counts and p-values"):
        st.dataframe(moments, hide_index=True, key="emo_moments",
                     column_config={"effect": st.column_config.NumberColumn(format="%+.3f"),
                                    "p_value": st.column_config.NumberColumn(format="%.4f")})

st.subheader("Voice of the customer")
choices = _curve(key, "touchpoint", ds)[0]["touchpoint"].tolist()
if choices:
    first = pains["touchpoint"].iloc[0] if len(pains) else choices[0]
    touchpoint = st.selectbox("Touchpoint", choices, index=choices.index(first),
                              key="emo_quotes_tp")
    notes = _notes(key, touchpoint, ds)
    st.caption(f"{len(notes)} notes written at {touchpoint} (up to 50, most negative first).")
    st.dataframe(notes, hide_index=True, key="emo_notes",
                 column_config={"valence": st.column_config.NumberColumn(format="%+.2f")})
else:
    st.info("No touchpoint has ratings, so there are no quotes to show.")
