"""Every public analysis and export of journeylib on every shape of the real-export corpus.

For each shape of :mod:`tests.corpus` and each analysis: the call returns (or refuses with
:class:`journeylib.DataError`, the library's sentence for data it cannot use; any other exception
fails), its sentence can be written, and the invariants hold on what it returns: no Decimal in
any DataFrame, shares and rates in [0, 1], valences (means and interval bounds) in [-1, 1],
funnel counts never grow along the funnel, attribution credits sum to the conversions.

Conversions are counted here by the rule of issue 12: the file's ``converted`` flag when the
column is mapped (a row with 1 is one conversion, nothing else is), otherwise revenue > 0,
otherwise a row in the purchase stage; journeys without any channel cannot be credited.
"""

from __future__ import annotations

import decimal
import io
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

import journeylib as jl
from journeylib import emotion as em
from journeylib import journey_map as jm
from journeylib import moments as mo
from journeylib import paths as jp
from journeylib import touchpoints as tp
from journeylib.attribution import (
    ALL,
    channel_reach,
    describe_disagreement,
    describe_removal_effects,
)
from journeylib.attribution import describe_transitions as describe_matrix
from journeylib.charts.journey_map import journey_map_chart
from journeylib.conversion import describe_time_to_convert, describe_trend
from journeylib.export import export_chart
from journeylib.funnel import describe_funnel, describe_journey_parts, journey_parts
from journeylib.handout import workshop_handout
from journeylib.quality import touchpoints_over_time
from journeylib.report import analysis_sheets
from journeylib.segments import describe_segments
from tests.corpus import LOAD_OPTIONS, SHAPES, csv_bytes

# Columns holding a share or a rate (0..1), by name, in any result.
SHARE_COLUMN = re.compile(
    r"^(share(_\w+)?|\w+_share|reach|conversion(_rate|_after|_from_\w+)?|journey_score"
    r"|probability|removal_effect|value_removal_effect|conversion_probability_without"
    r"|outcome_rate_\w+|journey_ci_\w+|overall_conversion|severity)$"
)
# Columns holding a valence (-1..1) in the emotion results.
VALENCE_COLUMNS = ("valence", "valence_mean", "ci_low", "ci_high", "touchpoint_valence_mean")


@pytest.fixture(scope="module", params=list(SHAPES))
def shape(request) -> tuple[str, jl.Dataset]:
    """``(name, dataset)`` of a corpus shape, loaded from its CSV export once per module."""
    name = request.param
    data = io.BytesIO(csv_bytes(SHAPES[name]()))
    data.name = f"{name}.csv"
    return name, jl.load(data, **LOAD_OPTIONS.get(name, {}))


def frames_in(value: Any) -> list[pd.DataFrame]:
    """The DataFrames in a result (a frame, a JourneyMap, a dict or a tuple of them)."""
    if isinstance(value, pd.DataFrame):
        return [value]
    if isinstance(value, jm.JourneyMap):
        return [value.stages, value.touchpoints]
    if isinstance(value, dict):
        return [f for v in value.values() for f in frames_in(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in frames_in(v)]
    return []


def assert_no_decimal(frame: pd.DataFrame) -> None:
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object:
            bad = values.map(lambda v: isinstance(v, decimal.Decimal))
            assert not bad.any(), f"Decimal in column {column!r}: {values[bad].iloc[0]!r}"


def assert_within(frame: pd.DataFrame, columns, low: float, high: float, what: str) -> None:
    for column in columns:
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        outside = values[(values < low - 1e-9) | (values > high + 1e-9)]
        assert outside.empty, f"{what} {column!r} outside [{low}, {high}]: {outside.tolist()[:5]}"


def assert_shares(frame: pd.DataFrame) -> None:
    assert_within(frame, [c for c in frame.columns if SHARE_COLUMN.match(str(c))], 0, 1, "share")


def assert_valences(frame: pd.DataFrame) -> None:
    assert_within(frame, VALENCE_COLUMNS, -1, 1, "valence")


def assert_funnel_never_grows(frame: pd.DataFrame) -> None:
    groups = frame.groupby("breakdown", sort=False) if "breakdown" in frame else [("", frame)]
    for value, rows in groups:
        counts = rows.sort_values("step")["customers"].to_numpy()
        assert (np.diff(counts) <= 0).all(), f"funnel grows for {value!r}: {counts.tolist()}"


def conversion_events(ds: jl.Dataset) -> pd.DataFrame:
    """The rows of ``ds`` that are conversions by the issue-12 rule, with their revenue."""
    rows = ds.table.to_pandas()
    if "converted" in ds.mapping:
        won = rows["converted"].fillna(False).astype(bool)
    elif "revenue" in ds.mapping:
        won = rows["revenue"].fillna(0) > 0
    elif ds.purchase_stage is not None:
        won = rows["stage"] == ds.purchase_stage
    else:
        won = pd.Series(False, index=rows.index)
    return rows[won]


def creditable_conversions(ds: jl.Dataset) -> int:
    """Conversions of customers with at least one channel (the ones attribution can credit)."""
    rows = ds.table.to_pandas()
    reached = set(rows.loc[rows["channel"].notna(), "customer_id"])
    events = conversion_events(ds)
    return int(events["customer_id"].isin(reached).sum())


def _two_stages(ds: jl.Dataset) -> tuple[str, str]:
    if len(ds.stages) < 2:
        pytest.skip("needs two stages")
    return ds.stages[0], ds.stages[-1]


def _funnel(ds):
    frame = jl.funnel(ds)
    assert_funnel_never_grows(frame)
    describe_funnel(frame)
    describe_journey_parts(journey_parts(frame))
    return frame


def _funnel_by(by: str, mode: str = "ordered") -> Callable:
    def run(ds):
        frame = jl.funnel(ds, by=by, mode=mode)
        assert_funnel_never_grows(frame)
        describe_funnel(frame)
        return frame
    return run


def _strict_funnel(ds):
    frame = jl.funnel(ds, mode="strict", window="30d")
    assert_funnel_never_grows(frame)
    return frame


def _drop_offs(ds):
    _two_stages(ds)
    frame = jl.funnel(ds)
    lost = jl.drop_offs(ds, 2)
    assert len(lost) == int(frame.loc[frame["step"] == 2, "drop_off"].iloc[0])
    lost.to_csv(index=False)
    return lost


def _time_to_convert(ds):
    first, last = _two_stages(ds)
    frame = jl.time_to_convert(ds, first, last)
    describe_time_to_convert(frame, first, last)
    return frame


def _conversion_trend(ds):
    frame = jl.conversion_trend(ds)
    assert (frame["converted"] <= frame["entered"]).all()
    describe_trend(frame, ds.stages[0], ds.stages[-1])
    return frame


def _segments(ds):
    frame = jl.compare_segments(ds)
    describe_segments(frame)
    return frame


def _transitions(ds):
    frame = jl.stage_transitions(ds)
    jp.describe_transitions(frame)
    return frame


def _paths(level: str) -> Callable:
    def run(ds):
        frame = jl.top_paths(ds, level)
        assert (frame["converted"] <= frame["customers"]).all()
        jp.describe_paths(frame)
        return frame
    return run


def assert_credits_sum_to_conversions(ds: jl.Dataset, result: pd.DataFrame) -> None:
    """Every model but participation (which is reach) credits exactly the conversions."""
    expected = creditable_conversions(ds)
    for model, rows in result.groupby("model"):
        if model == "participation":
            continue
        credited = float(rows["conversions"].sum())
        assert credited == pytest.approx(expected, abs=1e-6), (
            f"{model} credits {credited:.2f} conversions, the data has {expected}")


def _attribution(ds):
    result = jl.attribution(ds, n_boot=20)
    assert_credits_sum_to_conversions(ds, result)
    assert set(result["model"]) == set(ALL)
    describe_disagreement(result)
    result.to_csv(index=False)
    return result


def _heuristics(ds):
    models = [m for m in ALL if m not in ("markov", "shapley")]
    result = jl.attribution(ds, models, n_boot=0)
    assert_credits_sum_to_conversions(ds, result)
    return result


def _markov(ds):
    result = jl.attribution(ds, ["markov"], n_boot=20)
    assert_credits_sum_to_conversions(ds, result)
    effects = jl.removal_effects(ds)
    describe_removal_effects(effects)
    matrix = jl.transition_matrix(ds)
    describe_matrix(matrix)
    return result, effects, matrix, channel_reach(ds)


def _shapley(ds):
    result = jl.attribution(ds, ["shapley"], n_boot=20)
    assert_credits_sum_to_conversions(ds, result)
    return result


def _curve(by: str) -> Callable:
    def run(ds):
        curve = jl.emotion_curve(ds, by)
        em.describe_curve(curve, by)
        return curve
    return run


def _timeline(by: str | None) -> Callable:
    def run(ds):
        timeline = jl.emotion_timeline(ds, "week", by=by)
        if by is None:
            em.describe_timeline(timeline, "week")
        return timeline
    return run


def _points(kind: str) -> Callable:
    def run(ds):
        points = (jl.pain_points if kind == "pain" else jl.delight_points)(ds)
        em.describe_points(points, kind)
        also = (jl.pain_points if kind == "pain" else jl.delight_points)(ds, min_n=1)
        return points, also
    return run


def _journey_score(ds):
    score = jl.journey_score(ds)
    em.describe_journey_score(score)
    return score


def _voices(ds):
    return em.verbatims(ds), em.stage_quotes(ds)


def _moments(outcome: str) -> Callable:
    def run(ds):
        moments = jl.moments_of_truth(ds, outcome)
        mo.describe_moment(moments, outcome)
        mo.describe_sample(moments)
        return moments
    return run


def _moments_adjusted(ds):
    return jl.moments_of_truth(ds, "purchase", adjust=True)


def _scorecard(ds):
    card = jl.scorecard(ds)
    tp.describe_scorecard(card)
    targets = tp.default_targets(card["touchpoint"].tolist())
    targets.loc[:, "target"] = 0.2
    with_targets = jl.scorecard(ds, targets)
    assert tp.targets_from_excel(tp.targets_to_excel(targets)) is not None
    return card, with_targets


def _journey_map(ds):
    jmap = jl.build_journey_map(ds)
    jm.describe_map(jmap)
    for stage in jmap.stages["stage"]:
        jm.describe_stage(jmap, stage)
    jm.map_note(jmap)
    journey_map_chart(jmap.stages, jmap.touchpoints).to_json()
    return jmap


def _quality(ds):
    summary = jl.summary(ds)
    for key, value in summary.items():
        assert not isinstance(value, decimal.Decimal), key
    assert jl.duplicate_touchpoints(ds) >= 0
    ds.rejected.to_csv(index=False)
    return (jl.data_quality(ds), jl.rejection_reasons(ds), touchpoints_over_time(ds),
            pd.DataFrame([summary]))


def _filters(ds):
    options = jl.filter_options(ds)
    jl.describe_filters(jl.Filters())
    return pd.DataFrame({k: [str(v)] for k, v in options.items()})


def _excel_report(ds):
    sheets = analysis_sheets(ds)
    data = jl.excel_report(sheets, title=ds.name, filters=ds.filters)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert len(book.sheetnames) == len(sheets)
    return sheets


def _handout(ds):
    jmap = jl.build_journey_map(ds)
    pdf = workshop_handout(ds, journey_map_chart(jmap.stages, jmap.touchpoints))
    assert pdf.startswith(b"%PDF")
    return jmap


def _chart_export(ds):
    from journeylib.charts import funnel_chart

    svg = export_chart(funnel_chart(jl.funnel(ds)), "svg", footnote=ds.name)
    assert svg.startswith(b"<svg")


ANALYSES: dict[str, Callable[[jl.Dataset], Any]] = {
    "funnel": _funnel,
    "funnel_by_segment": _funnel_by("segment"),
    "funnel_by_channel_any_order": _funnel_by("channel", "any"),
    "funnel_strict_window": _strict_funnel,
    "drop_offs": _drop_offs,
    "time_to_convert": _time_to_convert,
    "conversion_trend": _conversion_trend,
    "compare_segments": _segments,
    "stage_transitions": _transitions,
    "top_paths_stage": _paths("stage"),
    "top_paths_touchpoint": _paths("touchpoint"),
    "top_paths_channel": _paths("channel"),
    "attribution_all_models": _attribution,
    "attribution_heuristics": _heuristics,
    "attribution_markov": _markov,
    "attribution_shapley": _shapley,
    "emotion_curve_stage": _curve("stage"),
    "emotion_curve_touchpoint": _curve("touchpoint"),
    "emotion_curve_channel": _curve("channel"),
    "emotion_timeline": _timeline(None),
    "emotion_timeline_by_stage": _timeline("stage"),
    "pain_points": _points("pain"),
    "delight_points": _points("delight"),
    "journey_score": _journey_score,
    "verbatims_and_quotes": _voices,
    **{f"moments_{o}": _moments(o) for o in jl.OUTCOMES},
    "moments_adjusted": _moments_adjusted,
    "scorecard": _scorecard,
    "journey_map": _journey_map,
    "quality": _quality,
    "filter_options": _filters,
    "excel_report": _excel_report,
    "handout": _handout,
    "chart_export": _chart_export,
}
# Results whose valence columns are valences (elsewhere ci_low/ci_high are other intervals).
EMOTION_RESULTS = {"emotion_curve_stage", "emotion_curve_touchpoint", "emotion_curve_channel",
                   "emotion_timeline", "emotion_timeline_by_stage", "pain_points",
                   "delight_points", "journey_score", "verbatims_and_quotes", "scorecard",
                   "journey_map", "handout"}


@pytest.mark.parametrize("analysis", list(ANALYSES))
def test_analysis_runs_and_holds_its_invariants(shape, analysis: str) -> None:
    name, ds = shape
    try:
        result = ANALYSES[analysis](ds)
    except jl.DataError as refusal:
        assert str(refusal).strip(), f"{analysis} on {name} refused without a sentence"
        return
    for frame in frames_in(result):
        assert_no_decimal(frame)
        assert_shares(frame)
        if analysis in EMOTION_RESULTS:
            assert_valences(frame)


def test_journeys_count_converted_customers_by_the_rule(shape) -> None:
    """Journeys (top paths) call a customer converted exactly when they have a conversion."""
    name, ds = shape
    paths = jl.top_paths(ds, "stage", n=100_000)
    expected = conversion_events(ds)["customer_id"].nunique()
    converted = int(paths["converted"].sum())
    assert converted == expected, (
        f"{name}: paths count {converted} converted customers, the data has {expected}")


def test_scorecard_counts_buyers_by_the_rule(shape) -> None:
    """The scorecard's conversion_after is, per touchpoint, the share of its customers with a
    conversion (by the rule) after their first visit there."""
    name, ds = shape
    try:
        card = jl.scorecard(ds)
    except jl.DataError:
        return
    rows = ds.table.to_pandas()
    last = conversion_events(ds).groupby("customer_id")["timestamp"].max().rename("last")
    for row in card.itertuples():
        firsts = rows.loc[rows["touchpoint"] == row.touchpoint].groupby("customer_id")[
            "timestamp"].min().rename("first")
        both = pd.concat([firsts, last], axis=1, join="inner")
        bought = int((both["last"] > both["first"]).sum())
        expected = bought / len(firsts)
        shown = 0.0 if pd.isna(row.conversion_after) else row.conversion_after
        assert shown == pytest.approx(expected), (
            f"{name}: conversion_after of {row.touchpoint!r} is {row.conversion_after}, the "
            f"data has {expected:.3f}")
