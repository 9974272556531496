"""Attribution page: which channels earn conversions and revenue, under every model."""

import hashlib

import streamlit as st

import journeylib as jl
from dashboard import links, session
from dashboard.exports import chart_downloads
from journeylib.attribution import (
    ALL,
    MODEL_LABELS,
    MODEL_NOTES,
    attribution,
    describe_disagreement,
    describe_removal_effects,
    describe_transitions,
    display_table,
    removal_effects,
    transition_matrix,
)
from journeylib.charts.attribution import (
    attribution_chart,
    removal_effects_chart,
    transition_matrix_chart,
)
from journeylib.paths_table import PathTable

LOOKBACKS = {"7d": "7 days", "14d": "14 days", "30d": "30 days", "60d": "60 days",
             "90d": "90 days", "all": "No limit"}
MEASURES = {"conversions": "Conversions", "revenue": "Revenue"}
DEFAULT_MODELS = ["first_touch", "last_touch", "linear", "position_based", "markov", "shapley"]


@st.cache_data(show_spinner="Crediting channels under each model…", max_entries=16)
def _attribution(key: str, models: tuple, lookback: str | None, order: int, _data):
    return attribution(_data, models, lookback=lookback, order=order)


@st.cache_data(show_spinner="Solving the Markov chain…", max_entries=16)
def _inside(key: str, lookback: str | None, order: int, _data):
    effects = removal_effects(_data, order, lookback=lookback)
    return effects, transition_matrix(_data, 1, lookback=lookback)


@st.cache_data(show_spinner="Reading the path table…", max_entries=4)
def _read_paths(digest: str, name: str, sep: str, _data: bytes) -> PathTable:
    raw = session.read_file(digest, name, None, _data)
    return PathTable.from_frame(raw.frame, sep=sep, name=name)


st.title("Attribution")
st.caption(
    "Which channels earn the conversions? Each model answers differently; compare them side "
    "by side. Journeys run up to each purchase (a converted flag, the purchase stage or "
    "revenue); journeys that never convert count too."
)

with st.expander("Use a conversion-path table instead of the touchpoint data"):
    st.caption(
        "One row per path, e.g. `search > email > direct;12;1340.5;88` with columns path, "
        "total_conversions, total_conversion_value (optional) and total_null (optional), as "
        "ChannelAttribution and analytics conversion-path exports have them."
    )
    upload = st.file_uploader("Path table", type=["csv", "txt", "tsv", "xlsx"], key="paths_file")
    sep = st.text_input("Channel separator in paths", value=">", key="paths_sep")

data, key = None, None
if upload is not None:
    content = upload.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    try:
        data = _read_paths(digest, upload.name, sep or ">", content)
    except jl.DataError as exc:
        st.error(f"**{upload.name} is not a path table we can use.** {exc}")
        st.stop()
    key = f"paths:{digest}:{sep}"
    st.info(f"Using the path table **{upload.name}**: {data.n_paths:,} distinct paths, "
            f"{data.total_conversions:,.0f} conversions. Remove it to go back to your data.")
else:
    data = session.require_dataset()
    key = data.key
    if data.filters:
        st.caption(f"Filtered: {data.filters}.")

available = [m for m in ALL if not (m == "time_decay" and isinstance(data, PathTable))]
links.bind_choices("attr_models", "models", available, DEFAULT_MODELS)
links.bind_choice("attr_lookback", "lookback", list(LOOKBACKS), "30d")
links.bind_choice("attr_order", "order", [1, 2, 3, 4], 1, from_text=int)
links.bind_choice("attr_measure", "measure", list(MEASURES), "conversions")
left, middle, right = st.columns([4, 1, 1])
models = left.multiselect("Models", available, format_func=MODEL_LABELS.get,
                          key="attr_models")
lookback = middle.selectbox(
    "Lookback window", list(LOOKBACKS), format_func=LOOKBACKS.get, key="attr_lookback",
    disabled=isinstance(data, PathTable),
    help="Touches longer than this before a conversion do not count.",
)
order = right.selectbox("Markov order", [1, 2, 3, 4], key="attr_order",
                        help="How many previous channels the Markov chain remembers.")
measure = st.radio("Credit", list(MEASURES), format_func=MEASURES.get, horizontal=True,
                   key="attr_measure")
if not models:
    st.info("Pick at least one model.")
    st.stop()

window = None if lookback == "all" else lookback
result = _attribution(key, tuple(models), window, order, data)
if result.empty:
    st.warning("No journey has a channel touch in this window: nothing to attribute.")
    st.stop()

st.markdown(f"**{describe_disagreement(result)}**")
chart = attribution_chart(result, measure)
st.altair_chart(chart, width="content")
chart_downloads(chart, f"attribution-{measure}", data)

st.dataframe(display_table(result), hide_index=True, key="attr_table")
st.download_button("Download the table (CSV)", result.to_csv(index=False).encode("utf-8"),
                   file_name="attribution.csv", mime="text/csv")

with st.expander("What each model means", expanded=False):
    for model in models:
        st.markdown(f"**{MODEL_LABELS[model]}.** {MODEL_NOTES[model]}")

with st.expander("Inside the Markov chain: removal effects and transitions", expanded=False):
    effects, matrix = _inside(key, window, order, data)
    st.caption(describe_removal_effects(effects))
    st.altair_chart(removal_effects_chart(effects), width="stretch")
    st.caption(describe_transitions(matrix))
    st.altair_chart(transition_matrix_chart(matrix), width="content")
    st.dataframe(matrix, hide_index=True, height=240, key="attr_matrix")
