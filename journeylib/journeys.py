"""What a journey is made of: what counts as a conversion, and the buyer and customer parts.

Every analysis that counts conversions (attribution, journey paths, moments of truth, the
touchpoint scorecard, the Excel report) asks this module, so they all count the same rows.

The conversion rule, by code (the first one the data supports is the default):

- ``"flag"``: the file's ``converted`` column is mapped; a row flagged true (1) is one
  conversion and no other row is (a cancelled order flagged 0 is not one, and its revenue is
  not credited);
- ``"revenue"``: no flag, but a revenue column: a row with revenue above 0 is a conversion;
- ``"purchase_stage"``: neither: a row in the purchase stage is a conversion;
- ``"none"``: the data has none of these, so nothing is a conversion.

The user may choose another rule the data supports (:func:`with_conversion_rule`).
"""

from __future__ import annotations

import dataclasses
import re

import ibis
import ibis.expr.types as ir

from journeylib.dataset import Dataset

CONVERSION_RULES = ("flag", "revenue", "purchase_stage")
NO_RULE = "none"
BUYER_JOURNEY = "Buyer journey"
CUSTOMER_JOURNEY = "Customer journey"


def conversion_rules(ds: Dataset) -> list[str]:
    """The rules of :data:`CONVERSION_RULES` that ``ds`` supports, the default first."""
    mapped = ds.report.mapping
    supported = {
        "flag": "converted" in mapped,
        "revenue": "revenue" in mapped,
        "purchase_stage": ds.purchase_stage is not None,
    }
    return [rule for rule in CONVERSION_RULES if supported[rule]]


def conversion_rule(ds: Dataset) -> str:
    """The rule in force for ``ds``: the one chosen with :func:`with_conversion_rule` when the
    data supports it, else the first supported one, else ``"none"``."""
    rules = conversion_rules(ds)
    if ds.conversion in rules:
        return ds.conversion
    return rules[0] if rules else NO_RULE


# The order of a customer's events: by time, and events at the same moment (dates without a
# time of day, a batch written at once) in file order, so every engine breaks ties alike.
EVENT_ORDER = ("timestamp", "source_row")


def event_key(t: ir.Table) -> ir.StructValue:
    """The sort key of :data:`EVENT_ORDER` as one value, for ``argmin`` / ``argmax``: a struct
    compares field by field on DuckDB and Spark alike, so the first (last) event by this key
    is one definite row even when several share a timestamp."""
    return ibis.struct({"timestamp": t.timestamp, "source_row": t.source_row})


def conversion_event(ds: Dataset, table: ir.Table | None = None) -> ir.BooleanValue:
    """Row predicate of a conversion under :func:`conversion_rule`, never null.

    ``table``: a table with the columns of ``ds.table`` (default: ``ds.table`` itself).
    """
    t = ds.table if table is None else table
    rule = conversion_rule(ds)
    if rule == "flag":
        return t.converted.fill_null(False)
    if rule == "revenue":
        return t.revenue.fill_null(0) > 0
    if rule == "purchase_stage":
        return (t.stage == ds.purchase_stage).fill_null(False)
    # A column (not a scalar) of False, so it aggregates like the other rules' predicates.
    return t.customer_id.notnull() & ibis.literal(False)


def with_conversion_rule(ds: Dataset, rule: str | None) -> Dataset:
    """``ds`` counting conversions by ``rule`` (a code of :data:`CONVERSION_RULES`; None for
    the default). The result has its own ``key``, so cached results of one rule are never
    shown for another. Raises ValueError for an unknown code."""
    if rule is not None and rule not in CONVERSION_RULES:
        raise ValueError(f"rule must be one of {', '.join(CONVERSION_RULES)}, not {rule!r}")
    key = re.sub(r"\|conversion=[^|]*", "", ds.key)
    key = key if rule is None else f"{key}|conversion={rule}"
    return dataclasses.replace(ds, conversion=rule, key=key)


def journey_part(ds: Dataset, stage: str) -> str:
    """``"Buyer journey"`` for stages up to and including the purchase stage (every stage when
    there is none), ``"Customer journey"`` after it."""
    return CUSTOMER_JOURNEY if stage in ds.customer_stages else BUYER_JOURNEY
