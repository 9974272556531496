"""Moments of truth: touchpoints where how the experience felt changes what customers do next.

For every touchpoint, customers whose (first rated) experience there was positive are compared
with those whose experience was negative on an outcome measured only AFTER that experience.
Outcomes:

- ``"purchase"``: a purchase after the touchpoint, among customers who had not bought at or
  before it (a purchase is a conversion under the data's rule, see :mod:`journeylib.journeys`);
- ``"retention"``: another purchase after the touchpoint, among customers who had already
  bought at or before it;
- ``"advocacy"``: reaching the last stage of the journey (``ds.stages[-1]``) after the
  touchpoint, among customers who had not reached it before;
- any stage name: reaching that stage after the touchpoint, among customers not there before.

Effects are differences of two proportions with a Wald 95% interval and a two-sided z-test
(pooled variance). The optional key-driver model is a logistic regression of the outcome on
every touchpoint's negative and positive experience at once, fitted by iteratively reweighted
least squares on aggregated experience patterns.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

import ibis
import numpy as np
import pandas as pd

from journeylib import i18n
from journeylib.dataset import Dataset
from journeylib.engine import scalar, to_pandas
from journeylib.errors import DataError
from journeylib.i18n import t
from journeylib.journeys import NO_RULE, conversion_event, conversion_rule, event_key
from journeylib.stats import SIGNIFICANT, Z95, fit_logistic, normal_p_value, proportion_difference

MIN_GROUP = 20
NOT_ENOUGH = "not enough data"
OUTCOMES = ("purchase", "retention", "advocacy")
SAMPLE_CUSTOMERS = 200_000
# A customer's hash bucket, 0 .. _BUCKETS - 1, decides sample membership: the first
# _HASH_DIGITS hex digits of the MD5 of the id, which every engine computes alike (the
# engines' own ``hash`` differ: 64-bit in DuckDB, 32-bit Murmur3 in Spark). Five digits stay
# far below any integer overflow (Spark 4 raises on one). One bucket in _COUNT_EVERY is
# counted to estimate the customers.
_HASH_DIGITS = 5
_BUCKETS = 16**_HASH_DIGITS
_COUNT_EVERY = 16


def _customer_bucket(t: ibis.Table) -> ibis.IntegerValue:
    """Deterministic pseudo-random bucket 0 .. _BUCKETS - 1 of each row's customer."""
    digest = t.customer_id.hexdigest("md5").lower()
    bucket = ibis.literal(0, "int64")
    for k in range(_HASH_DIGITS):
        # '0'..'9' are ASCII 48..57 and 'a'..'f' 97..102: minus 48, modulo 39, gives 0..15.
        digit = (digest.substr(k, 1).ascii_str().cast("int64") - 48) % 39
        bucket = bucket * 16 + digit
    return bucket


def customer_bucket(customer_id: str) -> int:
    """The bucket :func:`_customer_bucket` gives ``customer_id``, computed in Python."""
    return int(hashlib.md5(customer_id.encode("utf-8")).hexdigest()[:_HASH_DIGITS], 16)


def purchase_event(ds: Dataset) -> ibis.Expr:
    """Row predicate of a purchase: a conversion under the data's rule
    (:func:`journeylib.journeys.conversion_event`). Raises :class:`DataError` when the data
    has no conversion information (no flag, no revenue, no purchase stage)."""
    if conversion_rule(ds) == NO_RULE:
        raise DataError(i18n.t("emotions.error.no_purchase"))
    return conversion_event(ds)


def _outcome_spec(ds: Dataset, outcome: str) -> tuple[ibis.Expr, str]:
    """The row predicate of an outcome event, and whether eligibility needs a prior one."""
    t = ds.table
    if outcome in ("purchase", "retention"):
        return purchase_event(ds), "before" if outcome == "retention" else "none"
    stage = ds.stages[-1] if outcome == "advocacy" and ds.stages else outcome
    if stage not in ds.stages:
        raise ValueError(
            f"outcome must be purchase, retention, advocacy or a stage "
            f"({', '.join(ds.stages)}), not {outcome!r}"
        )
    return t.stage == stage, "none"


def _sample_buckets(ds: Dataset, sample_customers: int | None) -> tuple[int, int | None]:
    """Buckets to keep (``_BUCKETS`` = everyone) and the estimated number of customers.

    The estimate counts the distinct customers of one bucket range in ``_COUNT_EVERY``
    (about 1% error at 200,000 customers); None when no sample was asked for.
    """
    if sample_customers is None:
        return _BUCKETS, None
    t = ds.table
    counted = t.customer_id.nunique(where=_customer_bucket(t) < _BUCKETS // _COUNT_EVERY)
    estimate = int(scalar(counted)) * _COUNT_EVERY
    if estimate <= sample_customers:
        return _BUCKETS, estimate
    return math.ceil(_BUCKETS * sample_customers / estimate), estimate


def _experiences(
    ds: Dataset, outcome: str, negative_below: float, positive_above: float,
    buckets: int = _BUCKETS,
) -> ibis.Table:
    """One row per customer and touchpoint: first rated experience, eligibility, outcome after.

    ``buckets`` < ``_BUCKETS`` keeps only the customers in the first ``buckets`` hash buckets.
    The first experience is the earliest rated event by (timestamp, source row); ``at`` is its
    time, ``row`` its source row. ``stage`` is the stage's index in ``ds.stages`` (an integer
    travels through the five-million-group aggregate of a large table far cheaper than text).
    """
    t = ds.table
    is_event, prior = _outcome_spec(ds, outcome)
    if buckets < _BUCKETS:
        t = t.filter(_customer_bucket(t) < buckets)
    events = t.filter(is_event)
    per_customer = events.group_by("customer_id").agg(
        first_event=events.timestamp.min(), last_event=events.timestamp.max()
    )
    rated = t.filter(t.valence.notnull() & t.touchpoint.notnull())
    first = event_key(rated)
    firsts = {"at": rated.timestamp.min(), "row": rated.source_row.argmin(first),
              "valence": rated.valence.argmin(first)}
    if ds.stages:
        stage = rated.stage.substitute({s: i for i, s in enumerate(ds.stages)},
                                       else_=ibis.null("int64"))
        firsts["stage"] = stage.argmin(first)
    exp = rated.group_by(["customer_id", "touchpoint"]).agg(**firsts)
    if not ds.stages:  # data without stages: no stage to name (a column, not a scalar)
        exp = exp.mutate(stage=ibis.null("int64"))
    j = exp.left_join(per_customer, "customer_id")
    if prior == "before":
        eligible = j.first_event.notnull() & (j.first_event <= j.at)
    else:
        eligible = j.first_event.isnull() | (j.first_event > j.at)
    return j.mutate(
        eligible=eligible,
        tone=ibis.cases(
            (j.valence < negative_below, -1), (j.valence > positive_above, 1), else_=0
        ),
        after=(j.last_event.notnull() & (j.last_event > j.at)).cast("int64"),
    )


def _experience_key(exp: ibis.Table) -> ibis.StructValue:
    """When an experience happened, ties broken by its row in the file (see
    :func:`journeylib.journeys.event_key`)."""
    return ibis.struct({"timestamp": exp.at, "source_row": exp.row})


def moments_of_truth(
    ds: Dataset,
    outcome: str = "purchase",
    *,
    negative_below: float = 0.0,
    positive_above: float = 0.0,
    min_group: int = MIN_GROUP,
    adjust: bool = False,
    sample_customers: int | None = SAMPLE_CUSTOMERS,
) -> pd.DataFrame:
    """Touchpoints ranked by how much a good rather than bad experience there changes ``outcome``.

    ``outcome``: ``"purchase"``, ``"retention"``, ``"advocacy"`` or a stage name (see the
    module docstring: the outcome counts only after the touchpoint, among customers for whom
    it was still open). A customer's experience at a touchpoint is their first rating there:
    negative below ``negative_below``, positive above ``positive_above`` (valence -1..1).

    Returns one row per rated touchpoint (also those no customer could reach the outcome
    from): ``touchpoint``, ``stage``, ``customers`` (rated customers for whom the outcome was
    still open), ``customers_negative``, ``customers_positive``,
    ``outcome_rate_negative`` / ``outcome_rate_positive`` (0..1), ``effect`` (positive minus
    negative rate, in proportion points), ``ci_low`` / ``ci_high`` (95% Wald), ``p_value``
    (two-sided z-test), ``opportunity`` (effect × customers_negative: extra outcomes had the
    negative experiences been positive) with ``opportunity_low`` / ``opportunity_high``, and
    ``status`` (``"ok"`` or ``"not enough data"`` when either group has fewer than
    ``min_group`` customers; those rows keep their counts, with NaN effects). With ``adjust``
    also ``adjusted_log_odds`` (log odds ratio of the outcome, positive vs negative
    experience, holding every other touchpoint's experience fixed), ``adjusted_ci_low`` /
    ``adjusted_ci_high`` and ``adjusted_p_value``. Sorted by |effect| (largest first), rows
    without enough data last.

    ``sample_customers``: with more customers than this (estimated from a fixed 1-in-16
    hash share of them), only a fixed pseudo-random share of customers, chosen by a hash of
    ``customer_id`` so the same data always gives the same sample, is analysed, about
    ``sample_customers`` of them; counts, intervals and p-values are then those of the
    sample (honest, only wider). None: always every customer. ``attrs`` of the result say
    what was used: ``sample_share`` (share of customers analysed, 1.0 = all),
    ``customers_total`` (estimated customers in the data; None when not estimated) and
    ``customers_sampled`` (estimated customers analysed; None when not estimated).
    """
    buckets, estimate = _sample_buckets(ds, sample_customers)
    exp = _experiences(ds, outcome, negative_below, positive_above, buckets)
    neg, pos = exp.eligible & (exp.tone == -1), exp.eligible & (exp.tone == 1)
    out = to_pandas(
        exp.group_by("touchpoint")
        .agg(
            stage=exp.stage.argmax(_experience_key(exp)),
            customers=exp.eligible.cast("int64").sum(),
            customers_negative=neg.cast("int64").sum(),
            customers_positive=pos.cast("int64").sum(),
            outcomes_negative=ibis.ifelse(neg, exp.after, 0).sum(),
            outcomes_positive=ibis.ifelse(pos, exp.after, 0).sum(),
        )
    )
    out["stage"] = out["stage"].map(dict(enumerate(ds.stages)))
    out = _effects(out, min_group)
    if adjust:
        out = out.merge(
            _key_drivers(exp.filter(exp.eligible), out), on="touchpoint", how="left"
        )
    out["_missing"] = out["status"] != "ok"
    out["_size"] = -out["effect"].abs()
    out = out.sort_values(["_missing", "_size", "touchpoint"]).drop(columns=["_missing", "_size"])
    out = out.reset_index(drop=True)
    share = buckets / _BUCKETS
    out.attrs.update(
        sample_share=share, customers_total=estimate,
        customers_sampled=None if estimate is None else round(estimate * share),
    )
    return out


def _effects(counts: pd.DataFrame, min_group: int) -> pd.DataFrame:
    out = counts.copy()
    for col in ("customers", "customers_negative", "customers_positive", "outcomes_negative",
                "outcomes_positive"):
        out[col] = out[col].fillna(0).astype("int64")
    n0 = out["customers_negative"].to_numpy(float)
    n1 = out["customers_positive"].to_numpy(float)
    y0 = out["outcomes_negative"].to_numpy(float)
    y1 = out["outcomes_positive"].to_numpy(float)
    enough = (n0 >= min_group) & (n1 >= min_group)
    diff = proportion_difference(y0, n0, y1, n1)
    mask = np.where(enough, 1.0, np.nan)
    out["outcome_rate_negative"] = diff["rate0"]
    out["outcome_rate_positive"] = diff["rate1"]
    for column in ("effect", "ci_low", "ci_high", "p_value"):
        out[column] = diff[column] * mask
    out["opportunity"] = out["effect"] * n0
    out["opportunity_low"] = out["ci_low"] * n0
    out["opportunity_high"] = out["ci_high"] * n0
    out["status"] = np.where(enough, "ok", NOT_ENOUGH)
    return out.drop(columns=["outcomes_negative", "outcomes_positive"])


def _key_drivers(exp: ibis.Table, effects: pd.DataFrame) -> pd.DataFrame:
    """Adjusted effects from a logistic model over all touchpoints with enough data."""
    names = effects.loc[effects["status"] == "ok", "touchpoint"].tolist()
    cols = ["touchpoint", "adjusted_log_odds", "adjusted_ci_low", "adjusted_ci_high",
            "adjusted_p_value"]
    if not names:
        return pd.DataFrame(columns=cols)
    # One row per customer: their tone at each modelled touchpoint (0 when not met or neutral)
    # and the outcome after their first eligible experience; then identical patterns are
    # counted so only aggregates leave the engine.
    codes = {
        f"k{i}": ibis.ifelse(exp.touchpoint == name, exp.tone, 0).sum()
        for i, name in enumerate(names)
    }
    per_customer = exp.group_by("customer_id").agg(y=exp.after.argmin(_experience_key(exp)),
                                                   **codes)
    keys = [*codes, "y"]
    patterns = to_pandas(per_customer.group_by(keys).agg(weight=per_customer.count()))
    tones = patterns[list(codes)].to_numpy(float)
    x = np.column_stack([np.ones(len(patterns)), tones == -1, tones == 1]).astype(float)
    beta, cov = fit_logistic(x, patterns["y"].to_numpy(float), patterns["weight"].to_numpy(float))
    k = len(names)
    rows = []
    for i, name in enumerate(names):
        a, b = 1 + i, 1 + k + i  # negative and positive indicator of touchpoint i
        est = beta[b] - beta[a]
        se = math.sqrt(max(cov[a, a] + cov[b, b] - 2 * cov[a, b], 0.0))
        rows.append([name, est, est - Z95 * se, est + Z95 * se, normal_p_value(est, se)])
    return pd.DataFrame(rows, columns=cols)


def _outcome_words(outcome: str) -> tuple[str, str]:
    """The outcome's name and what customers do to reach it, in the current language."""
    if outcome in OUTCOMES:
        return t(f"emotions.outcome.{outcome}"), t(f"emotions.verb.{outcome}")
    return outcome, t("emotions.verb.stage", stage=outcome)


def moment_reading(moments: pd.DataFrame) -> dict[str, Any]:
    """What the headline of :func:`moments_of_truth` says, as a code and numbers.

    ``{"code": "none"}``: no touchpoint has ``MIN_GROUP`` customers with each experience.
    Otherwise the row named is the largest significant effect (p < 0.05), or the largest
    effect when none is significant, with ``touchpoint``, ``effect``, ``ci_low``, ``ci_high``
    (proportion points), ``p_value``, ``customers_negative`` and ``opportunity``; ``code`` is
    ``"effect"`` (significant), ``"not_significant"`` or ``"no_effect"`` (not significant and
    under 0.05 percentage points).
    """
    rows = moments[moments["status"] == "ok"]
    if rows.empty:
        return {"code": "none", "min_group": MIN_GROUP}
    significant = rows[rows["p_value"] < SIGNIFICANT]
    top = (significant if len(significant) else rows).iloc[0]
    if len(significant):
        code = "effect"
    elif abs(top["effect"]) * 100 < 0.05:
        code = "no_effect"
    else:
        code = "not_significant"
    return {"code": code, "min_group": MIN_GROUP, "touchpoint": top["touchpoint"],
            **{k: float(top[k]) for k in ("effect", "ci_low", "ci_high", "p_value",
                                          "opportunity")},
            "customers_negative": int(top["customers_negative"])}


def _points(value: float) -> str:
    """Percentage points in words: whole points from 1 up, one decimal below."""
    if value >= 1:
        return t("emotions.describe.pct_points", n=round(value))
    return t("emotions.describe.pct_points_small", n=round(value, 1))


def describe_moment(moments: pd.DataFrame, outcome: str = "purchase") -> str:
    """The :func:`moment_reading` in words, e.g. "Customers with a bad Checkout experience buy
    43 points less often than those with a good one (95% CI 39-47); ..."; effects under one
    point with a decimal, and a sentence saying so when no effect is significant."""
    reading = moment_reading(moments)
    name, verb = _outcome_words(outcome)
    if reading["code"] == "none":
        return t("emotions.describe.moment_none", min=MIN_GROUP, outcome=name)
    effect = reading["effect"] * 100
    size = abs(effect)
    low, high = sorted((abs(reading["ci_low"]) * 100, abs(reading["ci_high"]) * 100))
    if reading["ci_low"] < 0 < reading["ci_high"]:
        low = 0.0
    digits = 0 if size >= 1 and high >= 1 else 1
    bounds = {"low": i18n.number(low, digits), "high": i18n.number(high, digits)}
    if reading["code"] == "no_effect":
        return t("emotions.describe.moment_no_effect", verb=verb, name=reading["touchpoint"],
                 p=reading["p_value"])
    if reading["code"] == "not_significant":
        return t("emotions.describe.moment_not_significant", verb=verb,
                 name=reading["touchpoint"], p=reading["p_value"], min=MIN_GROUP,
                 points=_points(size), **bounds)
    helps = reading["effect"] > 0
    first = t(
        "emotions.describe.moment_less" if helps else "emotions.describe.moment_more",
        name=reading["touchpoint"], verb=verb,
        points=_points(size), **bounds,
    )
    fix = t(
        "emotions.describe.moment_fix_more" if helps else "emotions.describe.moment_fix_fewer",
        bad=reading["customers_negative"], extra=round(abs(reading["opportunity"])), verb=verb,
    )
    return f"{first}; {fix}"


def describe_sample(moments: pd.DataFrame) -> str:
    """A sentence saying that moments of truth were estimated from a sample of customers, with
    its size ("" when every customer was analysed)."""
    return _sample_text("emotions.describe.sampled", moments.attrs)


def sample_note(sample: Mapping[str, Any]) -> str:
    """A short note for a chart or a sheet ("Sample of 200,001 of about 994,752 customers
    (20%)"), from the ``attrs`` of a :func:`moments_of_truth` result; "" when every customer
    was analysed."""
    return _sample_text("emotions.describe.sampled_short", sample)


def _sample_text(key: str, sample: Mapping[str, Any]) -> str:
    share = sample.get("sample_share", 1.0)
    if share >= 1.0 or not sample.get("customers_total"):
        return ""
    return i18n.t(
        key, share=share, sampled=round(sample["customers_sampled"]),
        total=round(sample["customers_total"]),
    )
