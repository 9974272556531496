"""CX metrics as CX teams report them: NPS, CSAT and CES from the dataset's score column.

The scale is the one the loader settled for the emotion column (detected by
:func:`journeylib.valence.detect_scale` or chosen by the user, kept in ``ds.report``); this
module does not read the scale again. A metric is offered only where that scale fits it:

- **NPS** (Net Promoter Score) needs the 0–10 "how likely to recommend" scale. Promoters answer
  9–10, passives 7–8, detractors 0–6; NPS = % promoters − % detractors, in points from −100
  to 100. A 0–10 column where nobody answered 0 is read as 1–10 by the detector; NPS accepts
  it too (the groups are the same).
- **CSAT** (customer satisfaction) needs 1–5: the share of satisfied answers, 4 or 5 (the
  "top-two box"), as a share 0..1.
- **CES** (customer effort score) needs 1–5 or 1–7 agreement ("the company made it easy"):
  the mean answer on that scale (higher = easier).

Only answers inside the scale count (out-of-scale numbers and labels do not). ``respondents``
counts answers (a customer who rated three touchpoints counts three times, as survey tools
count responses per touchpoint). Intervals are 95%:

- NPS: adjusted Wald (Rocks 2016, *The American Statistician*): add 3 to ``n`` and 3/4 to the
  promoters and to the detractors, then ``(p − d) ± z·√((p + d − (p − d)²) / n)``, the variance
  of the difference of two shares of one multinomial sample. With very few answers the
  adjusted interval can miss the observed score; it is then widened to include it. Cut to
  −100..100.
- CSAT: Wilson score interval (:func:`journeylib.stats.wilson_interval`).
- CES: Student-t interval of the mean (:func:`journeylib.stats.mean_interval`), cut to the
  scale; NaN with fewer than 2 answers.

Counting runs in the engine (one Ibis ``GROUP BY`` per call); only the per-group counts and
sums come back. A metric that does not fit the data raises :class:`MetricRefused` with a code
(:data:`REFUSALS`) that the app words.
"""

from __future__ import annotations

import re

import ibis
import numpy as np
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.engine import to_pandas
from journeylib.epoch import epoch_day, period_starts
from journeylib.errors import DataError
from journeylib.stats import Z95, mean_interval, wilson_interval
from journeylib.timezones import local_time

METRICS = ("nps", "csat", "ces")
GROUPS = ("stage", "touchpoint", "channel", "segment")
FREQS = ("day", "week", "month")
# Why a metric is refused: no numeric scores at all, or a scale that does not fit the metric.
REFUSALS = ("no_scores", "nps_scale", "csat_scale", "ces_scale")
ALL = "(all)"
NO_VALUE = "(none)"
# Groups with fewer answers are flagged (enough_data False): CX teams rarely report below 30.
MIN_RESPONDENTS = 30
# The scales (low, high) each metric is defined on.
METRIC_SCALES: dict[str, tuple[tuple[float, float], ...]] = {
    "nps": ((0, 10), (1, 10)),
    "csat": ((1, 5),),
    "ces": ((1, 5), (1, 7)),
}
PROMOTER, DETRACTOR, SATISFIED = 9, 6, 4


class MetricRefused(DataError):
    """A CX metric that does not fit the data: ``reason`` is a code of :data:`REFUSALS`,
    ``metric`` the metric asked for; ``params`` carry ``metric`` and the file's scale
    (``low``/``high``, absent for ``no_scores``). Worded by the catalogue entry
    ``cx.refused.<reason>``."""

    def __init__(self, metric: str, reason: str, scale: tuple[float, float] | None = None):
        params: dict[str, object] = {"metric": metric.upper()}
        if scale is not None:
            params.update(low=float(scale[0]), high=float(scale[1]))
        super().__init__(code=f"cx.refused.{reason}", params=params)
        self.metric = metric
        self.reason = reason
        self.scale = scale

    def __reduce__(self):
        return (type(self), (self.metric, self.reason, self.scale))


def score_scale(ds: Dataset) -> tuple[float, float] | None:
    """The ``(low, high)`` scale of the dataset's numeric score column as the loader settled
    it, or None when the column holds labels, is missing or fits no known scale."""
    report = ds.report
    if report.emotion_kind != "scale" or not report.emotion_scale:
        return None
    low, high = report.emotion_scale
    return float(low), float(high)


def refusal(ds: Dataset, metric: str) -> str | None:
    """Why ``metric`` cannot be computed on ``ds`` (a code of :data:`REFUSALS`), or None when
    it can."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    scale = score_scale(ds)
    if scale is None:
        return "no_scores"
    return None if scale in METRIC_SCALES[metric] else f"{metric}_scale"


def supported_metrics(ds: Dataset) -> list[str]:
    """The metric codes (``"nps"``, ``"csat"``, ``"ces"``) the score column's scale supports;
    a metric named in the source column's name (``CSAT``, ``NPS``, ``CES``) comes first."""
    fitting = [m for m in METRICS if refusal(ds, m) is None]
    column = ds.report.mapping.get("emotion", "")
    named = [m for m in fitting if _names(column, m)]
    return [*named, *(m for m in fitting if m not in named)]


def _names(column: str, metric: str) -> bool:
    return re.search(rf"(?i)(?<![^\W\d_]){metric}(?![^\W\d_])", column) is not None


def _check(ds: Dataset, metric: str) -> tuple[float, float]:
    reason = refusal(ds, metric)
    if reason is not None:
        raise MetricRefused(metric, reason, score_scale(ds))
    scale = score_scale(ds)
    assert scale is not None
    return scale


def _answers(ds: Dataset, scale: tuple[float, float]) -> ibis.Table:
    t = ds.table
    return t.filter(t.emotion.notnull() & t.emotion.between(scale[0], scale[1]))


def _sums(t: ibis.Table) -> dict[str, ibis.Expr]:
    """Additive counts and sums, so days roll up to weeks and months."""
    e = t.emotion
    return {
        "respondents": e.count(),
        "promoters": (e >= PROMOTER).cast("int64").sum(),
        "detractors": (e <= DETRACTOR).cast("int64").sum(),
        "satisfied": (e >= SATISFIED).cast("int64").sum(),
        "score_sum": e.sum(),
        "score_sumsq": (e * e).sum(),
        "valence_sum": t.valence.sum(),
    }


def nps_interval(promoters: np.ndarray, detractors: np.ndarray, n: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """95% adjusted-Wald interval of NPS in points, ``(low, high)``, from the counts: see the
    module docstring. NaN where ``n`` is 0. (Not widened to include the observed score.)"""
    p_count = np.asarray(promoters, dtype=float)
    d_count = np.asarray(detractors, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        adjusted = n + 3
        p = (p_count + 0.75) / adjusted
        d = (d_count + 0.75) / adjusted
        centre = p - d
        half = Z95 * np.sqrt(np.clip(p + d - centre**2, 0, None) / adjusted)
    low = np.where(n > 0, np.clip(centre - half, -1, 1) * 100, np.nan)
    high = np.where(n > 0, np.clip(centre + half, -1, 1) * 100, np.nan)
    return low, high


def _metric_columns(frame: pd.DataFrame, metric: str, scale: tuple[float, float]) -> pd.DataFrame:
    """The metric, its interval and the shares from the :func:`_sums` columns."""
    n = frame["respondents"].astype(float)
    out = frame.copy()
    out["respondents"] = out["respondents"].astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = lambda col: (out[col] / n).where(n > 0)  # noqa: E731
        if metric == "nps":
            out["promoters_share"] = share("promoters")
            out["detractors_share"] = share("detractors")
            out["passives_share"] = ((n - out["promoters"] - out["detractors"]) / n).where(n > 0)
            value = (out["promoters_share"] - out["detractors_share"]) * 100
            low, high = nps_interval(out["promoters"], out["detractors"], n)
            low, high = np.fmin(low, value), np.fmax(high, value)
        elif metric == "csat":
            value = share("satisfied")
            low, high = wilson_interval(out["satisfied"], n)
        else:
            value = share("score_sum")
            var = (out["score_sumsq"] - n * value**2) / (n - 1)
            low, high = mean_interval(n, value, np.sqrt(np.clip(var, 0, None)))
            low, high = np.clip(low, *scale), np.clip(high, *scale)
        out["valence_mean"] = share("valence_sum")
    out["value"] = value
    out["ci_low"], out["ci_high"] = low, high
    out["enough_data"] = out["respondents"] >= MIN_RESPONDENTS
    return out


def _columns(metric: str) -> list[str]:
    shares = ["promoters_share", "passives_share", "detractors_share"] if metric == "nps" else []
    return ["respondents", "value", "ci_low", "ci_high", *shares, "valence_mean", "enough_data"]


def cx_metric(ds: Dataset, metric: str, by: str | None = None) -> pd.DataFrame:
    """``metric`` (``"nps"``, ``"csat"`` or ``"ces"``) per value of ``by`` (``"stage"``,
    ``"touchpoint"``, ``"channel"``, ``"segment"``; None: one row for all answers), from one
    query.

    Returns ``group`` (the value of ``by``, ``"(none)"`` where missing; ``"(all)"`` when
    ``by`` is None), ``respondents`` (answers inside the scale), ``value`` with its 95%
    ``ci_low`` / ``ci_high`` (NPS in points −100..100; CSAT a share 0..1; CES the mean answer on
    the file's scale), for NPS ``promoters_share`` / ``passives_share`` / ``detractors_share``
    (shares 0..1 of the answers), ``valence_mean`` (mean valence −1..1 of the same answers) and
    ``enough_data`` (at least :data:`MIN_RESPONDENTS` answers). Stages follow ``ds.stages``;
    other groups have the most answers first, then by name. Groups without answers are left
    out. Raises :class:`MetricRefused` when the score scale does not fit ``metric``.
    """
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)} or None, not {by!r}")
    scale = _check(ds, metric)
    t = _answers(ds, scale)
    t = t.mutate(group=t[by].fill_null(NO_VALUE) if by else ibis.literal(ALL))
    out = to_pandas(t.group_by("group").agg(**_sums(t)))
    out = _metric_columns(out, metric, scale)
    if by == "stage":
        rank = {s: i for i, s in enumerate(ds.stages)}
        out["_order"] = out["group"].map(rank).fillna(len(rank))
        out = out.sort_values(["_order", "group"])
    else:
        out = out.sort_values(["respondents", "group"], ascending=[False, True])
    return out[["group", *_columns(metric)]].reset_index(drop=True)


def cx_metric_over_time(ds: Dataset, metric: str, freq: str = "month") -> pd.DataFrame:
    """``metric`` per calendar period in the dataset's time zone, from one query (per local
    day, rolled up here: the counts and sums add up).

    ``freq``: ``"day"``, ``"week"`` (Monday start) or ``"month"``. Returns ``period_start`` /
    ``period_end`` (local dates, end exclusive) and the columns of :func:`cx_metric` after
    ``group``, periods in time order (periods without answers are left out). Raises
    :class:`MetricRefused` when the score scale does not fit ``metric``.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    scale = _check(ds, metric)
    t = _answers(ds, scale)
    t = t.mutate(day=epoch_day(local_time(ds, t.timestamp)))
    days = to_pandas(t.group_by("day").agg(**_sums(t)))
    days["period_start"] = period_starts(days["day"], freq)
    sums = list(_sums(t))
    out = days.groupby("period_start", as_index=False)[sums].sum()
    out = _metric_columns(out, metric, scale).sort_values("period_start")
    step = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1),
            "month": pd.DateOffset(months=1)}[freq]
    out["period_end"] = out["period_start"] + step
    return out[["period_start", "period_end", *_columns(metric)]].reset_index(drop=True)
