"""Attribution page: which channels earn conversions and revenue, under every model."""

import hashlib

import streamlit as st

import journeylib as jl
from dashboard import links, session, tables
from dashboard.exports import chart_downloads
from dashboard.sections import section
from journeylib import limits
from journeylib.attribution import (
    ALL,
    attribution,
    by_channel,
    describe_disagreement,
    describe_intervals,
    describe_removal_effects,
    describe_transitions,
    model_note,
    removal_effects,
    transition_matrix,
)
from journeylib.charts.attribution import (
    attribution_chart,
    removal_effects_chart,
    state_label,
    transition_matrix_chart,
)
from journeylib.i18n import filters_text, label, t
from journeylib.paths_table import PathTable, path_table
from journeylib.text import csv_bytes, escape_markdown

DEFAULT_MODELS = ["first_touch", "last_touch", "linear", "position_based", "markov", "shapley"]


def _lookbacks() -> dict[str, str]:
    days = {f"{n}d": t("attribution.page.lookback_days", n=n) for n in (7, 14, 30, 60, 90)}
    return {**days, "all": t("attribution.page.lookback_all")}


def _measures() -> dict[str, str]:
    return {
        "conversions": t("attribution.page.measure_conversions"),
        "revenue": t("attribution.page.measure_revenue"),
    }


# One cut of the journeys per dataset, filters, lookback and time decay: every model, the
# removal effects and the transitions of a view are computed from it (held, not copied).
@st.cache_resource(show_spinner=False, max_entries=2)
def _path_table(key: str, lookback: str | None, half_life: str | None, _data) -> PathTable:
    return path_table(_data, lookback, half_life=half_life)


def _paths(key: str, lookback: str | None, decay: bool, data):
    """The view's path table, cut on first use (results cached below do not need it)."""
    if isinstance(data, PathTable):
        return lambda: data
    return lambda: _path_table(key, lookback, "7d" if decay else None, data)


@st.cache_data(show_spinner=False, max_entries=16)
def _attribution(key: str, models: tuple, lookback: str | None, order: int, _paths):
    return attribution(_paths(), models, order=order)


@st.cache_data(show_spinner=False, max_entries=16)
def _inside(key: str, lookback: str | None, order: int, decay: bool, _paths):
    paths = _paths()
    return removal_effects(paths, order), transition_matrix(paths, 1)


@st.cache_data(show_spinner=False, max_entries=4)
def _read_paths(digest: str, name: str, sep: str, _data: bytes) -> PathTable:
    raw = session.read_file(digest, name, None, _data)
    return PathTable.from_frame(raw.frame, sep=sep, name=name)


st.title(t("attribution.page.title"))
st.caption(t("attribution.page.intro"))

with st.expander(t("attribution.page.path_table")):
    st.caption(t("attribution.page.path_table_help"))
    upload = st.file_uploader(
        t("attribution.page.path_file"), type=["csv", "txt", "tsv", "xlsx"], key="paths_file"
    )
    sep = st.text_input(t("attribution.page.separator"), value=">", key="paths_sep")

data, key = None, None
if upload is not None:
    content = upload.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    try:
        with st.spinner(t("attribution.page.working_table")):
            data = _read_paths(digest, upload.name, sep or ">", content)
    except jl.DataError as exc:
        st.error(t("attribution.page.bad_table", name=escape_markdown(upload.name),
                   reason=escape_markdown(exc)))
        st.stop()
    key = f"paths:{digest}:{sep}"
    st.info(t("attribution.page.using_table", name=escape_markdown(upload.name), n=data.n_paths,
              conversions=float(data.total_conversions)))
else:
    data = session.require_dataset()
    key = data.key
    if data.filters:
        filters = escape_markdown(filters_text(data.filters))
        st.caption(t("attribution.page.filtered", filters=filters))

available = [m for m in ALL if not (m == "time_decay" and isinstance(data, PathTable))]
lookbacks, measures = _lookbacks(), _measures()
links.bind_choices("attr_models", "models", available, DEFAULT_MODELS)
links.bind_choice("attr_lookback", "lookback", list(lookbacks), "30d")
links.bind_choice("attr_order", "order", [1, 2, 3, 4], 1, from_text=int)
links.bind_choice("attr_measure", "measure", list(measures), "conversions")
names = {m: label(m) for m in available}
# The models on a row of their own, so every chosen model's chip shows in every language.
models = st.multiselect(t("attribution.page.models"), available, format_func=names.get,
                        key="attr_models")
middle, right, _ = st.columns([1, 1, 2])
lookback = middle.selectbox(
    t("attribution.page.lookback"), list(lookbacks), format_func=lookbacks.get,
    key="attr_lookback", disabled=isinstance(data, PathTable),
    help=t("attribution.page.lookback_help"),
)
order = right.selectbox(t("attribution.page.order"), [1, 2, 3, 4], key="attr_order",
                        help=t("attribution.page.order_help"))
measure = st.radio(t("attribution.page.measure"), list(measures), format_func=measures.get,
                   horizontal=True, key="attr_measure")
if not models:
    st.info(t("attribution.page.no_models"))
    st.stop()

window = None if lookback == "all" else lookback
paths = _paths(key, window, "time_decay" in models, data)
with section("attribution"):
    try:
        with st.spinner(t("attribution.page.working_models")):
            try:
                result = _attribution(key, tuple(models), window, order, paths)
            except limits.LimitError as exc:
                others = tuple(m for m in models if m != "shapley")
                if exc.code != limits.SHAPLEY_CHANNELS or not others:
                    raise
                # Too many channels for exact Shapley: say so and show the other models.
                st.warning(f"{limits.limit_sentence(exc)} {t('limits.shown_without_shapley')}")
                result = _attribution(key, others, window, order, paths)
    except limits.LimitError as exc:
        st.error(limits.limit_sentence(exc))
        st.stop()
    except jl.DataError as exc:  # nothing to attribute (e.g. no channels): a state of the data
        st.warning(escape_markdown(exc.words()))
        st.stop()
    if result.empty:
        st.warning(t("attribution.page.nothing"))
        st.stop()

    st.markdown(f"**{escape_markdown(describe_disagreement(result))}**")
    chart = attribution_chart(result, measure)
    st.altair_chart(chart, width="content")
    chart_downloads(chart, f"attribution-{measure}", data)

    wide = by_channel(result, measure)
    digits = 1 if measure == "conversions" else 0
    # Revenue with the currency the file named (a mark on the amounts or in the column's name).
    kind = "number" if measure == "conversions" else "money"
    currency = getattr(data, "currency", None)
    columns = {"channel": tables.text(t("attribution.table.channel"), pinned=True)}
    for model in dict.fromkeys(result["model"]):
        columns[model] = tables.interval(label(model), low=f"{model}_low", high=f"{model}_high",
                                         kind=kind, decimals=digits, currency=currency)
    tables.show(wide, columns, key="attr_table")
    st.caption(t("attribution.table.caption"))
    st.download_button(t("attribution.page.download"), csv_bytes(result),
                       file_name="attribution.csv", mime="text/csv")

with st.expander(t("attribution.page.meanings"), expanded=False):
    for model in models:
        st.markdown(f"**{label(model)}.** {model_note(model)}")
    if intervals := describe_intervals(result):
        st.markdown(escape_markdown(intervals))

with section("attribution_inside"), st.expander(t("attribution.page.inside"), expanded=False):
    with st.spinner(t("attribution.page.working_markov")):
        try:
            effects, matrix = _inside(key, window, order, "time_decay" in models, paths)
        except limits.LimitError as exc:
            st.error(limits.limit_sentence(exc))
            st.stop()
    st.caption(escape_markdown(describe_removal_effects(effects)))
    st.altair_chart(removal_effects_chart(effects), width="stretch")
    st.caption(escape_markdown(describe_transitions(matrix)))
    st.altair_chart(transition_matrix_chart(matrix), width="content")
    tables.show(matrix, {
        "from_state": tables.coded(t("attribution.page.col_from"), words=state_label, pinned=True),
        "to_state": tables.coded(t("attribution.page.col_to"), words=state_label),
        "transitions": tables.number(t("attribution.page.col_transitions")),
        "probability": tables.share(t("attribution.page.col_probability")),
    }, key="attr_matrix", height=240)
