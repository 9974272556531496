"""The data behind a journey map: per stage, its feeling, channels and top touchpoints, with pain
and delight points, moments of truth, KPIs, owners and customer quotes.

Everything is assembled from the other analyses (each one query or a few); nothing here reads
rows itself except the channel mix per stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.emotion import (
    MIN_TOUCHPOINT_N,
    delight_points,
    emotion_curve,
    pain_points,
    stage_quotes,
)
from journeylib.engine import to_pandas
from journeylib.errors import DataError
from journeylib.i18n import label, percent, t
from journeylib.journeys import journey_part
from journeylib.moments import moments_of_truth, sample_note
from journeylib.touchpoints import scorecard

MAP_OUTCOMES = ("purchase", "retention")
MAP_MAX_P = 0.01


@dataclass
class JourneyMap:
    """A journey map ready to draw.

    ``stages``: one row per stage in journey order: ``stage``, ``journey`` ("Buyer journey" up
    to and including the purchase stage, then "Customer journey"), ``n`` (ratings),
    ``valence_mean``, ``ci_low``, ``ci_high`` (95% Student-t), ``channels`` (text: top three
    channels by share of the stage's touchpoints), ``quote_negative`` / ``quote_positive``
    (the most negative / positive rated customer note, "" when none).
    ``touchpoints``: the top touchpoints of each stage (by customers, plus every flagged one):
    ``stage``, ``rank`` (0 = most customers), ``touchpoint``, ``customers``, ``valence``,
    ``flag`` ("pain", "delight" or ""), ``moment_of_truth`` (text naming the outcome(s) it
    drives, "" when none), ``kpi``, ``kpi_value``, ``target``, ``owner``, ``status``.
    ``moments_sample``: the ``attrs`` of the moments of truth behind the stars when they were
    estimated on a sample of customers (large data), else empty; :func:`map_note` words it.
    """

    stages: pd.DataFrame
    touchpoints: pd.DataFrame
    moments_sample: dict[str, Any] = field(default_factory=dict)


def build_journey_map(
    ds: Dataset, targets: pd.DataFrame | None = None, top: int = 4, flags: int = 3
) -> JourneyMap:
    """Build the :class:`JourneyMap` of a dataset.

    ``targets``: KPI targets and owners (see :func:`journeylib.touchpoints.scorecard`);
    ``top``: touchpoints shown per stage; ``flags``: how many pain and delight points to mark.
    Pain and delight points are those of :func:`marked_points`: from the Emotions page's lists,
    made by the same functions with the same minimum of ratings. A touchpoint is a moment of
    truth for purchase or retention when it is among the three largest effects for that
    outcome, a good experience there raises the outcome (the interval lies above 0) and the
    test is clear (p < 0.01): a map for a workshop should star only what a team can act on.
    """
    curve = emotion_curve(ds, "stage")
    card = scorecard(ds, targets)
    pains, delights = marked_points(pain_points(ds), delight_points(ds), flags)
    stars: dict[str, list[str]] = {}
    sample: dict[str, Any] = {}
    for outcome in MAP_OUTCOMES:
        try:
            found = moments_of_truth(ds, outcome)
        except DataError:
            break  # no purchase information: the map has no moments of truth
        if found.attrs.get("sample_share", 1.0) < 1.0:
            sample = dict(found.attrs)
        found = found[found["status"] == "ok"].head(3)
        clear = (found["ci_low"] > 0) & (found["p_value"] < MAP_MAX_P)
        for name in found.loc[clear, "touchpoint"]:
            stars.setdefault(name, []).append(outcome)

    tps = card.copy()
    tps["flag"] = np.select(
        [tps["touchpoint"].isin(pains["touchpoint"]),
         tps["touchpoint"].isin(delights["touchpoint"])],
        ["pain", "delight"],
        "",
    )
    tps["moment_of_truth"] = tps["touchpoint"].map(lambda t: ", ".join(stars.get(t, [])))
    tps = tps.sort_values(["stage", "customers"], ascending=[True, False], kind="stable")
    tps["rank"] = tps.groupby("stage").cumcount()
    keep = (tps["rank"] < top) | (tps["flag"] != "") | (tps["moment_of_truth"] != "")
    tps = tps[keep & tps["stage"].isin(ds.stages)].copy()
    tps["rank"] = tps.groupby("stage").cumcount()
    tps["_order"] = tps["stage"].map({s: i for i, s in enumerate(ds.stages)})
    tps = tps.sort_values(["_order", "rank"])
    cols = ["stage", "rank", "touchpoint", "customers", "valence", "flag", "moment_of_truth",
            "kpi", "kpi_value", "target", "owner", "status"]
    return JourneyMap(stages=_stage_frame(ds, curve), touchpoints=tps[cols].reset_index(drop=True),
                      moments_sample=sample)


def marked_points(
    pains: pd.DataFrame, delights: pd.DataFrame, flags: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pain and delight points a journey map marks: the first ``flags`` rows of
    :func:`journeylib.emotion.pain_points` / :func:`journeylib.emotion.delight_points` (as the
    Emotions page lists them, in its order) that have enough ratings and an interval clearly
    beyond the mean of all ratings (``enough_data`` and ``significant``, the rule by which the
    Emotions page calls a touchpoint a pain or delight point). Returns the two filtered frames
    with the columns they came with. No touchpoint is in both: the two intervals lie on
    opposite sides of the same mean."""
    def chosen(points: pd.DataFrame) -> pd.DataFrame:
        return points[points["enough_data"] & points["significant"]].head(max(flags, 0))

    return chosen(pains), chosen(delights)


def _stage_frame(ds: Dataset, curve: pd.DataFrame) -> pd.DataFrame:
    t = ds.table.filter(ds.table.stage.notnull())
    mix = to_pandas(t.group_by(["stage", "channel"]).agg(rows=t.count()))
    mix["channel"] = mix["channel"].fillna(label("(none)"))
    mix["share"] = mix["rows"] / mix.groupby("stage")["rows"].transform("sum")
    mix = mix.sort_values(["stage", "share", "channel"], ascending=[True, False, True])
    channels = pd.Series(dtype="str") if mix.empty else mix.groupby("stage").apply(
        lambda g: ", ".join(f"{c} {percent(s)}" for c, s in zip(g["channel"][:3],
                                                                  g["share"][:3], strict=True)),
        include_groups=False,
    )
    quotes = stage_quotes(ds).pivot_table(index="stage", columns="tone", values="note",
                                          aggfunc="first")
    out = pd.DataFrame({"stage": ds.stages})
    out["journey"] = [journey_part(ds, s) for s in ds.stages]
    out = out.merge(curve[["stage", "n", "valence_mean", "ci_low", "ci_high"]], on="stage",
                    how="left")
    out["n"] = out["n"].fillna(0).astype("int64")
    out["channels"] = out["stage"].map(channels).fillna("")
    for tone in ("negative", "positive"):
        column = quotes[tone] if tone in quotes else pd.Series(dtype="str")
        out[f"quote_{tone}"] = out["stage"].map(column).fillna("")
    return out


def map_note(jmap: JourneyMap) -> str:
    """A line for the map's legend saying that its moments of truth (★) were estimated on a
    sample of customers, with its size; "" when every customer was analysed."""
    note = sample_note(jmap.moments_sample)
    return t("journey_map.chart.legend_sample", note=note) if note else ""


def outcome_names(moment_of_truth: str) -> str:
    """The outcomes in a ``moment_of_truth`` cell ("purchase, retention") in the current
    language."""
    return ", ".join(t(f"emotions.outcome.{o}") for o in moment_of_truth.split(", ") if o)


def describe_map(jmap: JourneyMap, min_n: int = MIN_TOUCHPOINT_N) -> str:
    """One sentence summing up a journey map: the lowest stage among those with at least
    ``min_n`` ratings, pain points and moments of truth."""
    stages = jmap.stages.dropna(subset=["valence_mean"])
    if stages.empty:
        return t("journey_map.describe.no_ratings")
    stages = stages[stages["n"] >= min_n]
    tps = jmap.touchpoints
    pains = ", ".join(tps.loc[tps["flag"] == "pain", "touchpoint"]) or t(
        "journey_map.describe.none")
    stars = ", ".join(
        t("journey_map.describe.star", name=r.touchpoint, outcomes=outcome_names(r.moment_of_truth))
        for r in tps.itertuples() if r.moment_of_truth
    ) or t("journey_map.describe.none_found")
    if stages.empty:
        return t("journey_map.describe.map_few", min=min_n, pains=pains, stars=stars)
    low = stages.loc[stages["valence_mean"].idxmin()]
    if len(stages) == 1:  # "lowest" needs another stage to compare with
        return t("journey_map.describe.map_one", stage=low["stage"], valence=low["valence_mean"],
                 pains=pains, stars=stars)
    return t("journey_map.describe.map", stage=low["stage"], valence=low["valence_mean"],
             pains=pains, stars=stars)


def describe_stage(jmap: JourneyMap, stage: str) -> str:
    """One sentence for presenting a stage: its feeling, pain and delight points and moments of
    truth."""
    row = jmap.stages.set_index("stage").loc[stage]
    tps = jmap.touchpoints[jmap.touchpoints["stage"] == stage]
    feeling = (
        t("journey_map.describe.feeling", valence=row["valence_mean"], n=int(row["n"]))
        if pd.notna(row["valence_mean"]) else t("journey_map.describe.no_stage_ratings")
    )
    parts = [t("journey_map.describe.stage", stage=stage, journey=label(row["journey"]).lower(),
               feeling=feeling)]
    for flag in ("pain", "delight"):
        names = tps.loc[tps["flag"] == flag, "touchpoint"].tolist()
        if names:
            parts.append(t(f"journey_map.describe.{flag}_points", names=", ".join(names)))
    stars = [t("journey_map.describe.drives", name=r.touchpoint,
               outcomes=outcome_names(r.moment_of_truth))
             for r in tps.itertuples() if r.moment_of_truth]
    if stars:
        parts.append(t("journey_map.describe.stage_stars", names=", ".join(stars)))
    return "; ".join(parts) + "."
