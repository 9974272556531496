"""The Funnel page's controls: the steps (stages, or any stage, touchpoint and channel values,
the same value as often as wanted), the order, the entry rule, the window, the breakdown and an
exclusion, read into one :class:`~journeylib.funnel_spec.FunnelSpec` and mirrored in the link.

Widgets hold codes and values; labels come from ``format_func`` in the reader's language.
"""

from __future__ import annotations

import streamlit as st

from dashboard import links
from journeylib import limits
from journeylib.funnel import step_values
from journeylib.funnel_spec import STEP_FIELDS, Exclusion, FunnelSpec, Step
from journeylib.i18n import t

CUSTOM = "funnel_custom"
COUNT = "funnel_n_steps"
EXCLUDE = "funnel_ex_field"


def modes() -> dict[str, str]:
    """Order modes (codes of :data:`journeylib.funnel_spec.MODES`) -> labels."""
    return {
        "ordered": t("funnel.page.mode_ordered"),
        "strict": t("funnel.page.mode_strict"),
        "any": t("funnel.page.mode_any"),
        "any_after_first": t("funnel.page.mode_any_after_first"),
    }


def entries() -> dict[str, str]:
    """Entry rules -> labels."""
    return {"best": t("funnel.page.entry_best"), "first": t("funnel.page.entry_first")}


def windows() -> dict[str, str]:
    """Window codes -> labels."""
    days = {f"{n}d": t("funnel.page.window_days", n=n) for n in (1, 7, 30, 90)}
    months = {f"{n}mo": t("funnel.page.window_months", n=n) for n in (1, 3)}
    return {"none": t("funnel.page.window_none"), **days, **months}


def breakdowns() -> dict[str, str]:
    """Breakdown codes -> labels."""
    return {
        "none": t("funnel.page.by_none"),
        "segment": t("funnel.page.by_segment"),
        "channel": t("funnel.page.by_channel"),
        "touchpoint": t("funnel.page.by_touchpoint"),
    }


@st.cache_data(show_spinner=False, max_entries=16)
def _values(key: str, _ds) -> dict[str, list[str]]:
    return {f: step_values(_ds, f) for f in STEP_FIELDS}


def values(ds) -> dict[str, list[str]]:
    """Field -> the values a step can take in ``ds`` (cached per dataset)."""
    return _values(ds.key, ds)


def _choice(key: str, param: str, options: dict, text: str, column, *, radio=False) -> str:
    """A selectbox (or horizontal radio) over ``options`` (code -> label), in the link."""
    links.bind_choice(key, param, list(options), next(iter(options)))
    widget = column.radio if radio else column.selectbox
    extra = {"horizontal": True} if radio else {}
    return widget(text, list(options), format_func=options.get, key=key, **extra)


def _field_key(i: int, field: str) -> str:
    return f"funnel_step_{i}_{field}"


def _seed_editor(steps: list[Step]) -> None:
    st.session_state[COUNT] = len(steps)
    for i, step in enumerate(steps):
        for f in STEP_FIELDS:
            st.session_state[_field_key(i, f)] = getattr(step, f) or ""


def _editor_from_stages() -> None:
    """When the step editor is switched on: start from the stages picked so far."""
    if st.session_state.get(CUSTOM):
        stages = st.session_state.get("funnel_stages") or []
        _seed_editor([Step(stage=s) for s in stages] or [Step(stage="")])


def steps(ds) -> tuple[Step, ...]:
    """The steps as the reader set them (possibly none)."""
    known = values(ds)
    limit = limits.setting(limits.FUNNEL_STEPS)
    linked = links.linked_steps("funnel_step_link", "step", known, limit)
    if linked:
        st.session_state[CUSTOM] = True
        _seed_editor(linked)
    custom = st.toggle(t("funnel.page.custom_steps"), key=CUSTOM, on_change=_editor_from_stages,
                       help=t("funnel.page.custom_steps_help"))
    if not custom:
        links.record("step", None)
        return tuple(Step(stage=s) for s in _stage_picker(ds))
    links.record("steps", None)
    chosen = _step_editor(known, limit)
    links.record("step", [s.to_text() for s in chosen])
    return chosen


def _stage_picker(ds) -> tuple[str, ...]:
    # A funnel has a limited number of steps: by default the data's first stages, up to it.
    first_steps = ds.stages[: limits.setting(limits.FUNNEL_STEPS)]
    links.bind_choices("funnel_stages", "steps", ds.stages, first_steps)
    if not st.session_state["funnel_stages"]:
        st.session_state["funnel_stages"] = list(first_steps)
    stages = tuple(st.multiselect(t("funnel.page.steps"), ds.stages, key="funnel_stages",
                                  help=t("funnel.page.steps_help")))
    if len(first_steps) < len(ds.stages) and list(stages) == first_steps:
        st.caption(t("limits.first_steps", limit=len(first_steps), stages=len(ds.stages)))
    return stages


def _step_editor(known: dict[str, list[str]], limit: int) -> tuple[Step, ...]:
    """One row per step: a stage, a touchpoint and a channel, each "any" by default."""
    if st.session_state.get(COUNT) is None:
        st.session_state[COUNT] = min(2, limit)
    n = st.number_input(t("funnel.page.step_count"), 1, limit, key=COUNT)
    anything = {"": t("funnel.page.any_value")}
    chosen = []
    for i in range(int(n)):
        row = {}
        for column, f in zip(st.columns(3), STEP_FIELDS, strict=True):
            options = ["", *known[f]]
            key = _field_key(i, f)
            if st.session_state.get(key) not in options:
                st.session_state[key] = ""
            row[f] = column.selectbox(
                t(f"funnel.page.step_{f}", n=i + 1), options, key=key,
                format_func=lambda v, names=anything: names.get(v, v),
            )
        fields = {f: v for f, v in row.items() if v}
        if fields:
            chosen.append(Step(**fields))
    if len(chosen) < n:
        st.caption(t("funnel.page.empty_steps_left_out", n=int(n) - len(chosen)))
    return tuple(chosen)


def exclusion(ds, n: int) -> Exclusion | None:
    """At most one exclusion: attempts with a value between two steps are left out."""
    if n < 2:
        links.record("exclude", None)
        return None
    known = values(ds)
    linked = links.linked_exclusion("funnel_ex_link", "exclude", known, n)
    if linked is not None:
        st.session_state[EXCLUDE] = linked.field
        st.session_state["funnel_ex_value"] = linked.value
        st.session_state["funnel_ex_after"] = linked.after_step
        st.session_state["funnel_ex_before"] = linked.before_step
    fields = {"none": t("funnel.page.exclude_none"), **{
        f: t(f"funnel.page.exclude_{f}") for f in STEP_FIELDS}}
    with st.expander(t("funnel.page.exclude"), expanded=linked is not None):
        cols = st.columns(4)
        if st.session_state.get(EXCLUDE) not in fields:
            st.session_state[EXCLUDE] = "none"
        field = cols[0].selectbox(t("funnel.page.exclude_field"), list(fields),
                                  format_func=fields.get, key=EXCLUDE)
        if field == "none" or not known[field]:
            links.record("exclude", None)
            return None
        if st.session_state.get("funnel_ex_value") not in known[field]:
            st.session_state["funnel_ex_value"] = known[field][0]
        value = cols[1].selectbox(t("funnel.page.exclude_value"), known[field],
                                  key="funnel_ex_value")
        after_options = list(range(1, n))
        if st.session_state.get("funnel_ex_after") not in after_options:
            st.session_state["funnel_ex_after"] = 1
        after = cols[2].selectbox(t("funnel.page.exclude_after"), after_options,
                                  key="funnel_ex_after")
        before_options = list(range(after + 1, n + 1))
        if st.session_state.get("funnel_ex_before") not in before_options:
            st.session_state["funnel_ex_before"] = after + 1
        before = cols[3].selectbox(t("funnel.page.exclude_before"), before_options,
                                   key="funnel_ex_before")
        st.caption(t("funnel.page.exclude_help"))
    rule = Exclusion(value, after, before, field)
    links.record("exclude", rule.to_text())
    return rule


def entry_rules_agree(window: str, mode: str, excluding: bool) -> bool:
    """Whether the entry rules "first" and "best" count the same whatever the data: with no
    window (``"none"``) the first entry's attempt reaches every step any later attempt
    reaches (each next step is the earliest match after the previous one), except in strict
    mode (a later run of stages can go further) or with an exclusion (it can drop the first
    attempt and keep a later one)."""
    return window == "none" and mode != "strict" and not excluding


def spec(ds) -> FunnelSpec | None:
    """The funnel the controls describe, None (with a note shown) when it cannot be run:
    no step, or a strict funnel over steps that are not distinct stages."""
    chosen = steps(ds)
    top = st.columns(4)
    mode = _choice("funnel_mode", "mode", modes(), t("funnel.page.mode"), top[0])
    window = _choice("funnel_window", "window", windows(), t("funnel.page.window"), top[1])
    by = _choice("funnel_by", "by", breakdowns(), t("funnel.page.by"), top[2])
    entry = _choice("funnel_entry", "entry", entries(), t("funnel.page.entry"), top[3],
                    radio=True)
    st.caption(t(f"funnel.page.entry_{entry}_note"))
    same = st.empty()
    rule = exclusion(ds, len(chosen))
    if entry_rules_agree(window, mode, rule is not None):
        same.caption(t("funnel.page.entry_same_without_window"))
    if not chosen:
        st.info(t("funnel.page.no_steps"))
        return None
    try:
        return FunnelSpec(steps=chosen, mode=mode, entry=entry,
                          window=None if window == "none" else window,
                          exclusions=(rule,) if rule else (),
                          breakdown=None if by == "none" else by)
    except ValueError:  # strict over steps that are not distinct stages
        st.warning(t("funnel.page.strict_needs_stages"))
        return None
