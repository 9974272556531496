"""How customers feel along the journey: emotion curve, timeline, pain and delight points, quotes.

Every function runs one Ibis query on ``ds.table`` over rated touchpoints (rows with a valence)
and returns a small pandas frame. Intervals on mean valence are Student-t 95% intervals cut to
[-1, 1] (:func:`journeylib.stats.valence_interval`), computed in numpy on the aggregated ``n``,
mean and standard deviation.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.engine import to_pandas
from journeylib.epoch import epoch_day, period_starts
from journeylib.i18n import month, t
from journeylib.journeys import EVENT_ORDER
from journeylib.stats import valence_interval, wilson_interval
from journeylib.timezones import local_time

CURVE_KEYS = ("stage", "touchpoint", "channel")
FREQS = ("day", "week", "month")
NO_VALUE = "(none)"
MIN_PERIOD_N = 30
MIN_TOUCHPOINT_N = 30


def _rated(ds: Dataset) -> ibis.Table:
    t = ds.table
    return t.filter(t.valence.notnull())


def _valence_metrics(t: ibis.Table) -> dict[str, ibis.Expr]:
    return {
        "n": t.valence.count(),
        "valence_mean": t.valence.mean(),
        "_sd": t.valence.std(),
        "share_negative": (t.valence < 0).mean(),
        "share_positive": (t.valence > 0).mean(),
        "emotion_mean": t.emotion.mean(),
    }


def _with_interval(frame: pd.DataFrame) -> pd.DataFrame:
    # Valence cannot leave [-1, 1]; a Student-t interval of a few ratings can (n = 2 reaches
    # ±12.7 sd), so the interval is cut to the scale.
    low, high = valence_interval(frame["n"], frame["valence_mean"], frame["_sd"])
    at = frame.columns.get_loc("valence_mean") + 1
    frame.insert(at, "ci_low", low)
    frame.insert(at + 1, "ci_high", high)
    frame["n"] = frame["n"].astype("int64")
    return frame.drop(columns="_sd")


def _stage_rank(ds: Dataset, stages: pd.Series) -> pd.Series:
    rank = {s: i for i, s in enumerate(ds.stages)}
    return stages.map(rank).fillna(len(rank)).astype(int)


def emotion_curve(ds: Dataset, by: str = "stage", segment: str | None = None) -> pd.DataFrame:
    """Mean valence per stage, touchpoint or channel, in journey order, from one query.

    ``by``: ``"stage"``, ``"touchpoint"`` or ``"channel"``; ``segment``: keep only that
    segment's touchpoints (None: everyone). Only rated touchpoints count.

    Returns one row per value of ``by`` (missing values as ``"(none)"``): ``<by>``, ``n``
    (rated touchpoints), ``valence_mean`` (-1..1), ``ci_low`` / ``ci_high`` (95% Student-t
    interval of the mean; NaN when n < 2), ``share_negative`` / ``share_positive`` (share of
    ratings below / above 0), ``emotion_mean`` (mean score on the file's own scale; NaN for
    labels), and for touchpoints ``stage`` (where it happens most often). Stages follow
    ``ds.stages``; touchpoints follow their stage, then their average position in customers'
    journeys; channels their average position.
    """
    if by not in CURVE_KEYS:
        raise ValueError(f"by must be one of {', '.join(CURVE_KEYS)}, not {by!r}")
    t = ds.table
    if segment is not None:
        t = t.filter(t.segment == segment)
    t = t.mutate(key=t[by].fill_null(NO_VALUE), stage=t.stage.fill_null(NO_VALUE))
    if by == "stage":
        rated = t.filter(t.valence.notnull())
        out = to_pandas(rated.group_by("key").agg(**_valence_metrics(rated)))
        out["_order"] = _stage_rank(ds, out["key"])
        out = out.sort_values(["_order", "key"])
    else:
        # Journey position (0 = first touch) orders touchpoints and channels like a journey map.
        t = t.mutate(position=ibis.row_number().over(group_by=t.customer_id,
                                                     order_by=list(EVENT_ORDER)))
        by_stage = t.group_by(["key", "stage"]).agg(
            rows=t.count(),
            position_sum=t.position.sum(),
            **{f"_{k}": v for k, v in _sums(t).items()},
        )
        g = by_stage
        out = to_pandas(
            g.group_by("key")
            .agg(
                main_stage=g.stage.argmax(_most_rows(ds, g)),
                position=g.position_sum.sum() / g.rows.sum(),
                **{k: g[f"_{k}"].sum() for k in _sums(t)},
            )
        )
        out = _from_sums(out)
        out = out.rename(columns={"main_stage": "stage"})
        order = ["position"] if by == "channel" else ["_order", "position"]
        out["_order"] = _stage_rank(ds, out["stage"])
        out = out[out["n"] > 0].sort_values([*order, "key"])
        if by == "channel":
            out = out.drop(columns="stage")
    out = _with_interval(out.rename(columns={"key": by}))
    cols = [by, *(["stage"] if by == "touchpoint" else []), "n", "valence_mean", "ci_low",
            "ci_high", "share_negative", "share_positive", "emotion_mean"]
    return out[cols].reset_index(drop=True)


def _most_rows(ds: Dataset, g: ibis.Table) -> ibis.StructValue:
    """The ``argmax`` key that picks the stage with the most ``rows`` of a per-stage table,
    the earliest stage in journey order on a tie (so every engine names the same one)."""
    if ds.stages:
        rank = g.stage.substitute({s: i for i, s in enumerate(ds.stages)}, else_=len(ds.stages))
    else:  # data without stages: an empty mapping gives a plain number, not an expression
        rank = ibis.literal(0)
    return ibis.struct({"rows": g.rows, "earlier": -rank.cast("int64")})


def _sums(t: ibis.Table) -> dict[str, ibis.Expr]:
    """Additive pieces of the valence metrics, so a second aggregation level can combine them."""
    v = t.valence
    return {
        "n": v.count(),
        "sum": v.sum(),
        "sumsq": (v * v).sum(),
        "neg": (v < 0).cast("int64").sum(),
        "pos": (v > 0).cast("int64").sum(),
        "emotion_sum": t.emotion.sum(),
        "emotion_n": t.emotion.count(),
    }


def _from_sums(out: pd.DataFrame) -> pd.DataFrame:
    """Metrics from the :func:`_sums` columns present (``n``, ``sum``, ``sumsq`` are needed;
    the shares and ``emotion_mean`` only when their sums were taken), sums dropped."""
    n = out["n"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = out["sum"] / n
        var = (out["sumsq"] - n * mean**2) / (n - 1)
        out["valence_mean"] = mean
        out["_sd"] = np.sqrt(np.clip(var, 0, None))
        if "neg" in out:
            out["share_negative"] = out["neg"] / n
        if "pos" in out:
            out["share_positive"] = out["pos"] / n
        if "emotion_sum" in out:
            emotion_n = out["emotion_n"].where(out["emotion_n"] > 0)
            out["emotion_mean"] = out["emotion_sum"] / emotion_n
    sums = ["sum", "sumsq", "neg", "pos", "emotion_sum", "emotion_n"]
    return out.drop(columns=[c for c in sums if c in out])


def emotion_timeline(
    ds: Dataset, freq: str = "week", by: str | None = None, min_n: int = MIN_PERIOD_N
) -> pd.DataFrame:
    """Mean valence per calendar period (and stage), from one query (per local day, rolled up).

    ``freq``: ``"day"``, ``"week"`` (Monday start) or ``"month"``; ``by``: ``"stage"`` for one
    line per stage, or None. ``min_n``: periods with fewer ratings are marked ``low_count``
    (they stay in the frame).

    Periods are counted in the dataset's time zone (``ds.timezone``). Returns one row per
    period (and stage): ``period_start`` / ``period_end`` (local dates, end exclusive),
    ``stage`` (when ``by="stage"``), ``n`` (ratings), ``valence_mean``, ``ci_low`` /
    ``ci_high`` (95% Student-t), ``share_negative``, ``low_count`` (n < ``min_n``), and
    ``below_usual`` (True when the period has at least ``min_n`` ratings and its whole interval
    lies below the mean of all other periods of the same line: a dip that noise does not
    explain, on enough data to name it).
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    if by not in (None, "stage"):
        raise ValueError(f"by must be 'stage' or None, not {by!r}")
    rated = _rated(ds)
    # The engine groups by day number, read from the epoch microseconds of the local wall time
    # (calendar truncation of zoned timestamps costs ~20x more); days roll up to weeks and
    # months here, since count, sum and sum of squares add up. Only the sums the columns need
    # are taken, and the stage is a key only when lines are drawn per stage.
    rated = rated.mutate(day=epoch_day(local_time(ds, rated.timestamp)))
    keys = ["period_start", *(["stage"] if by else [])]
    v = rated.valence
    days = to_pandas(
        rated.group_by(["day", *keys[1:]])
        .agg(n=v.count(), sum=v.sum(), sumsq=(v * v).sum(), neg=(v < 0).cast("int64").sum())
    )
    if by:
        days["stage"] = days["stage"].fillna(NO_VALUE)
    days["period_start"] = period_starts(days["day"], freq)
    out = days.groupby(keys, as_index=False)[["n", "sum", "sumsq", "neg"]].sum()
    out["_sum"] = out["sum"]
    out = _with_interval(_from_sums(out))
    step = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1),
            "month": pd.DateOffset(months=1)}[freq]
    out.insert(1, "period_end", out["period_start"] + step)
    out["low_count"] = out["n"] < min_n
    line = out["stage"] if by else pd.Series("", index=out.index)
    total_sum = out.groupby(line)["_sum"].transform("sum")
    total_n = out.groupby(line)["n"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        others = (total_sum - out["_sum"]) / (total_n - out["n"])
    out["below_usual"] = ((out["ci_high"] < others) & ~out["low_count"]).fillna(False).astype(bool)
    if by:
        out["_rank"] = _stage_rank(ds, out["stage"])
        out = out.sort_values(["period_start", "_rank"]).drop(columns="_rank")
    else:
        out = out.sort_values("period_start")
    cols = [*keys[:1], "period_end", *keys[1:], "n", "valence_mean", "ci_low", "ci_high",
            "share_negative", "low_count", "below_usual"]
    return out[cols].reset_index(drop=True)


def _point_table(ds: Dataset, sign: int, min_n: int) -> pd.DataFrame:
    """Touchpoints with the intensity of their negative (sign -1) or positive (+1) ratings."""
    t = ds.table.filter(ds.table.touchpoint.notnull())
    signed = (t.valence * sign).clip(lower=0)
    per_stage = t.group_by(["touchpoint", "stage"]).agg(
        rows=t.count(),
        customers=t.customer_id.nunique(),
        _intensity=signed.sum(),
        **{f"_{k}": v for k, v in _sums(t).items()},
    )
    g = per_stage
    # A touchpoint's customers are counted per stage and summed: exact when a touchpoint
    # belongs to one stage, as in a journey map; a stage-crossing touchpoint may count a
    # customer twice.
    out = to_pandas(
        g.group_by("touchpoint")
        .agg(
            stage=g.stage.argmax(_most_rows(ds, g)),
            customers=g.customers.sum(),
            intensity_sum=g._intensity.sum(),
            **{k: g[f"_{k}"].sum() for k in _sums(t)},
        )
    )
    out = _with_interval(_from_sums(out))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["severity"] = out["intensity_sum"] / out["n"].where(out["n"] > 0)
    overall = out["intensity_sum"].sum() / max(out["n"].sum(), 1)
    mean_valence = (out["valence_mean"] * out["n"]).sum() / max(out["n"].sum(), 1)
    out["score"] = out["severity"] * out["customers"]
    out["enough_data"] = out["n"] >= min_n
    # Significant: the whole interval lies on the bad (pain) or good (delight) side of the
    # mean of all ratings.
    side = out["ci_high"] < mean_valence if sign < 0 else out["ci_low"] > mean_valence
    out["significant"] = side.fillna(False).astype(bool)
    out = out[(out["n"] > 0) & (out["severity"] > overall)]
    # By name on equal scores: the engine returns its groups in no particular order.
    out = out.sort_values(["enough_data", "score", "touchpoint"], ascending=[False, False, True])
    share = "share_negative" if sign < 0 else "share_positive"
    cols = ["touchpoint", "stage", "customers", "n", "valence_mean", "ci_low", "ci_high", share,
            "severity", "score", "enough_data", "significant"]
    return out[cols].reset_index(drop=True)


def pain_points(ds: Dataset, min_n: int = MIN_TOUCHPOINT_N) -> pd.DataFrame:
    """Touchpoints that hurt most often and most badly, ranked by severity × frequency.

    ``severity`` is the mean negative intensity of a rating there (``max(0, -valence)``
    averaged over its ratings: 0 = never negative, 1 = always the worst answer); only
    touchpoints more severe than the dataset's average touchpoint are listed. ``score`` =
    severity × ``customers`` (distinct customers who met the touchpoint): the expected amount
    of bad experience it produces.

    Returns ``touchpoint``, ``stage`` (where it happens most often), ``customers``, ``n``
    (ratings), ``valence_mean``, ``ci_low`` / ``ci_high`` (95% Student-t), ``share_negative``,
    ``severity``, ``score``, ``enough_data`` (n >= ``min_n``), ``significant`` (the whole 95%
    interval lies below the mean valence of all ratings); rows with enough data first, then by
    score, highest first, then by touchpoint name.
    """
    return _point_table(ds, -1, min_n)


def delight_points(ds: Dataset, min_n: int = MIN_TOUCHPOINT_N) -> pd.DataFrame:
    """Touchpoints that please most often and most strongly; the mirror of :func:`pain_points`.

    ``severity`` is the mean positive intensity (``max(0, valence)``); only touchpoints above
    the dataset's average are listed. Returns the columns of :func:`pain_points` with
    ``share_positive`` instead of ``share_negative``; ``significant`` means the interval lies
    above the mean valence of all ratings.
    """
    return _point_table(ds, 1, min_n)


def verbatims(
    ds: Dataset, touchpoint: str | None = None, stage: str | None = None, limit: int = 20
) -> pd.DataFrame:
    """Customer notes (the verbatim voice of the customer), most negative first, from one query.

    ``touchpoint`` / ``stage``: only notes written there. Returns up to ``limit`` rows:
    ``timestamp`` (UTC), ``customer_id``, ``stage``, ``touchpoint``, ``channel``,
    ``emotion_raw`` (the answer as written), ``valence``, ``note``; unrated notes last.
    """
    t = ds.table
    t = t.filter(t.note.notnull())
    if touchpoint is not None:
        t = t.filter(t.touchpoint == touchpoint)
    if stage is not None:
        t = t.filter(t.stage == stage)
    cols = ["timestamp", "customer_id", "stage", "touchpoint", "channel", "emotion_raw",
            "valence", "note"]
    ordered = t.order_by([t.valence.isnull(), t.valence, t.timestamp, t.source_row])
    return to_pandas(ordered.select(cols).limit(limit))


def stage_quotes(ds: Dataset) -> pd.DataFrame:
    """The most negative and the most positive rated note of every stage, from one query.

    Returns ``stage``, ``tone`` (``"negative"`` / ``"positive"``), ``touchpoint``,
    ``valence`` and ``note``; stages in journey order, at most two rows per stage (ties go to
    the earliest note).
    """
    t = ds.table
    t = t.filter(t.note.notnull() & t.valence.notnull() & t.stage.notnull() & (t.valence != 0))
    t = t.mutate(tone=ibis.ifelse(t.valence < 0, "negative", "positive"))
    t = t.mutate(
        pick=ibis.row_number().over(
            group_by=[t.stage, t.tone],
            order_by=[(t.valence * ibis.ifelse(t.tone == "negative", 1, -1)), t.timestamp,
                      t.source_row],
        )
    )
    out = t.filter(t.pick == 0).select("stage", "tone", "touchpoint", "valence", "note")
    out = to_pandas(out)
    out["_rank"] = _stage_rank(ds, out["stage"])
    return (
        out.sort_values(["_rank", "tone"]).drop(columns="_rank").reset_index(drop=True)
    )


def describe_curve(curve: pd.DataFrame, by: str = "stage") -> str:
    """One sentence on an :func:`emotion_curve`: where customers feel best and worst."""
    rows = curve[curve["n"] > 0]
    if rows.empty:
        return t("emotions.describe.curve_empty")
    low = rows.loc[rows["valence_mean"].idxmin()]
    high = rows.loc[rows["valence_mean"].idxmax()]
    if low[by] == high[by]:
        return t("emotions.describe.curve_only", where=t(f"emotions.describe.at_{by}",
                                                           name=low[by]),
                 valence=low["valence_mean"])
    return t(
        "emotions.describe.curve",
        worst=t(f"emotions.describe.at_{by}", name=low[by]), low=low["valence_mean"],
        negative=low["share_negative"],
        best=t(f"emotions.describe.at_{by}", name=high[by]), high=high["valence_mean"],
        positive=high["share_positive"],
    )


def timeline_reading(timeline: pd.DataFrame, min_n: int = MIN_PERIOD_N) -> dict[str, Any]:
    """What the headline of an :func:`emotion_timeline` without stages says, as a code and
    numbers: ``{"code": "empty"}`` (no ratings); ``{"code": "few", "min_n"}`` (no period has
    ``min_n`` ratings); ``{"code": "flat", "min_n"}`` (no period with enough ratings lies clearly
    below the others); or ``{"code": "dip", "min_n", "period_start", "n", "valence", "low",
    "high", "usual", "dips"}``: the lowest of the ``dips`` periods flagged ``below_usual``, with
    its interval and the ratings-weighted mean valence of the other periods."""
    if timeline.empty:
        return {"code": "empty"}
    if (timeline["n"] < min_n).all():
        return {"code": "few", "min_n": min_n}
    dips = timeline[timeline["below_usual"] & (timeline["n"] >= min_n)]
    if dips.empty:
        return {"code": "flat", "min_n": min_n}
    worst = dips.loc[dips["valence_mean"].idxmin()]
    rest = timeline.drop(index=worst.name)
    usual = float(np.average(rest["valence_mean"], weights=rest["n"])) if len(rest) else 0.0
    return {"code": "dip", "min_n": min_n, "period_start": worst["period_start"].date(),
            "n": int(worst["n"]), "valence": float(worst["valence_mean"]),
            "low": float(worst["ci_low"]), "high": float(worst["ci_high"]), "usual": usual,
            "dips": len(dips)}


def describe_timeline(
    timeline: pd.DataFrame, freq: str = "week", min_n: int = MIN_PERIOD_N
) -> str:
    """The :func:`timeline_reading` of a timeline in words of the current language."""
    reading = timeline_reading(timeline, min_n)
    code = reading["code"]
    if code == "empty":
        return t("emotions.describe.timeline_empty")
    if code == "few":
        return t("emotions.describe.timeline_few", min=min_n)
    threshold = t("emotions.describe.timeline_threshold", min=min_n)
    if code == "flat":
        return t(f"emotions.describe.timeline_flat.{freq}") + " " + threshold
    start = reading["period_start"]
    sentence = t(
        f"emotions.describe.timeline_dip.{freq}", day=start, month=month(start),
        valence=reading["valence"], low=reading["low"], high=reading["high"],
        usual=reading["usual"], ratings=t("emotions.describe.ratings", n=reading["n"]),
    )
    if reading["dips"] > 1:
        sentence += " " + t(f"emotions.describe.timeline_more.{freq}", n=reading["dips"])
    return sentence


def points_reading(points: pd.DataFrame, min_n: int = MIN_TOUCHPOINT_N) -> dict[str, Any]:
    """What the headline of :func:`pain_points` or :func:`delight_points` says: ``{"code":
    "none", "min_n"}`` when no touchpoint has enough ratings and a clear difference from the
    average rating, else ``{"code": "top", "min_n", "touchpoint", "share", "n", "customers"}``
    for the first such row (``share``: its share of negative, or positive, ratings)."""
    rows = points[points["enough_data"] & points["significant"]]
    if rows.empty:
        return {"code": "none", "min_n": min_n}
    top = rows.iloc[0]
    share = top["share_negative"] if "share_negative" in top else top["share_positive"]
    return {"code": "top", "min_n": min_n, "touchpoint": top["touchpoint"],
            "share": float(share), "n": int(top["n"]), "customers": int(top["customers"])}


def describe_points(points: pd.DataFrame, kind: str = "pain", min_n: int = MIN_TOUCHPOINT_N
                    ) -> str:
    """The :func:`points_reading` of pain (``kind="pain"``) or delight points in words."""
    reading = points_reading(points, min_n)
    if reading["code"] == "none":
        return t(f"emotions.describe.points_none.{kind}", min=min_n)
    return t(
        f"emotions.describe.points.{kind}", name=reading["touchpoint"], share=reading["share"],
        ratings=t("emotions.describe.ratings", n=reading["n"]), n=reading["customers"],
    )


def journey_score(ds: Dataset) -> pd.DataFrame:
    """Whole journeys against single touchpoints, from one query.

    A journey "stayed non-negative" when none of the customer's ratings is below 0. Returns one
    row: ``customers`` (customers with at least one rating), ``journeys_non_negative``,
    ``journey_score`` (their share, 0..1) with ``journey_ci_low`` / ``journey_ci_high`` (95%
    Wilson), ``ratings``, ``touchpoint_share_non_negative`` (share of single ratings >= 0) and
    ``touchpoint_valence_mean`` (mean valence of single ratings, -1..1). A journey score well
    below the touchpoint share means small bad moments add up across journeys.
    """
    r = _rated(ds)
    per = r.group_by("customer_id").agg(
        worst=r.valence.min(), ratings=r.count(), ok=(r.valence >= 0).cast("int64").sum(),
        total=r.valence.sum(),
    )
    row = to_pandas(per.aggregate(
        customers=per.count(),
        journeys_non_negative=(per.worst >= 0).cast("int64").sum(),
        ratings=per.ratings.sum(),
        ok=per.ok.sum(),
        total=per.total.sum(),
    )).iloc[0].fillna(0)  # sums over no customers are missing
    customers = int(row["customers"])
    good = int(row["journeys_non_negative"])
    ratings = int(row["ratings"])
    low, high = wilson_interval(np.array([good]), np.array([customers]))
    return pd.DataFrame(
        {
            "customers": [customers],
            "journeys_non_negative": [good],
            "journey_score": [good / customers if customers else np.nan],
            "journey_ci_low": low,
            "journey_ci_high": high,
            "ratings": [ratings],
            "touchpoint_share_non_negative": [row["ok"] / ratings if ratings else np.nan],
            "touchpoint_valence_mean": [row["total"] / ratings if ratings else np.nan],
        }
    )


def describe_journey_score(score: pd.DataFrame) -> str:
    """One sentence comparing whole journeys with single touchpoints (:func:`journey_score`)."""
    row = score.iloc[0]
    if not row["customers"]:
        return t("emotions.describe.score_empty")
    gap = row["touchpoint_share_non_negative"] - row["journey_score"]
    # "but only" needs a gap: within 5 points the two shares say the same thing.
    key = "emotions.describe.score" if gap >= 0.05 else "emotions.describe.score_close"
    sentence = t(
        key, single=row["touchpoint_share_non_negative"],
        share=row["journey_score"], n=int(row["customers"]), low=row["journey_ci_low"],
        high=row["journey_ci_high"],
    )
    return sentence + (" " + t("emotions.describe.score_gap") if gap >= 0.1 else "")
