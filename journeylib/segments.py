"""Segment comparison: does a group of customers convert better or worse than the rest?"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import pandas as pd

from journeylib.dataset import Dataset
from journeylib.funnel import breakdown_label, funnel, funnel_stages
from journeylib.funnel_spec import Exclusion
from journeylib.i18n import label, t
from journeylib.stats import two_proportion_p_value

MIN_CUSTOMERS = 30
SIGNIFICANCE = 0.05


def compare_segments(
    ds: Dataset,
    stages: Sequence[str] | None = None,
    *,
    by: str = "segment",
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    entry: str = "best",
    exclude: Iterable[Exclusion] | None = None,
) -> pd.DataFrame:
    """Conversion from the first step to the last for each value of ``by`` (the top 8 and
    "Other", as in :func:`journeylib.funnel.funnel`), against everyone else.

    Each value is tested against the customers outside it with a two-sided two-proportion
    z-test (pooled); ``window``, ``mode``, ``entry`` and ``exclude`` as for the funnel.
    Returns one row per value, most customers first: ``breakdown``,
    ``entered``, ``converted`` (customers), ``conversion`` (0..1), ``overall_conversion``
    (all customers, 0..1), ``difference`` (conversion minus overall, in fractions),
    ``p_value`` (NaN with fewer than 30 customers in the value or outside it), ``verdict``
    ("higher", "lower", "no clear difference" at the 5% level, or "not enough data").
    """
    steps = funnel_stages(ds, stages)
    frame = funnel(ds, steps, window=window, mode=mode, by=by, entry=entry, exclude=exclude)
    first = frame[frame["step"] == 1].set_index("breakdown")["customers"]
    last = frame[frame["step"] == len(steps)].set_index("breakdown")["customers"]
    total_in, total_out = int(first.sum()), int(last.sum())
    overall = total_out / total_in if total_in else math.nan
    rows = []
    for value, entered in first.items():
        converted = int(last[value])
        rest_in, rest_out = total_in - entered, total_out - converted
        enough = entered >= MIN_CUSTOMERS and rest_in >= MIN_CUSTOMERS
        p = two_proportion_p_value(converted, entered, rest_out, rest_in) if enough else math.nan
        rate = converted / entered if entered else math.nan
        if not enough:
            verdict = "not enough data"
        elif p < SIGNIFICANCE:
            verdict = "higher" if rate > rest_out / rest_in else "lower"
        else:
            verdict = "no clear difference"
        rows.append(
            {
                "breakdown": value,
                "entered": int(entered),
                "converted": converted,
                "conversion": rate,
                "overall_conversion": overall,
                "difference": rate - overall,
                "p_value": p,
                "verdict": verdict,
            }
        )
    return pd.DataFrame.from_records(
        rows,
        columns=[
            "breakdown",
            "entered",
            "converted",
            "conversion",
            "overall_conversion",
            "difference",
            "p_value",
            "verdict",
        ],
    )


def describe_segments(frame: pd.DataFrame) -> str:
    """One sentence about :func:`compare_segments`: which values differ clearly."""
    if frame.empty:
        return t("funnel.describe.no_segments")
    overall = float(frame["overall_conversion"].iloc[0])
    clear = frame[frame["verdict"].isin(["higher", "lower"])]
    if clear.empty:
        return t("funnel.describe.segments_alike", overall=overall)
    parts = [
        t(
            "funnel.describe.segment",
            group=breakdown_label(r.breakdown),
            share=float(r.conversion),
            verdict=label(r.verdict),
        )
        for r in clear.itertuples(index=False)
    ]
    return t(
        "funnel.describe.segments_differ",
        overall=overall,
        alpha=SIGNIFICANCE,
        groups=", ".join(parts),
    )
