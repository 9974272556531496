"""Summaries of a loaded dataset: its size and span, and how complete each column is."""

from __future__ import annotations

import pandas as pd

from journeylib.columns import CANONICAL
from journeylib.dataset import Dataset
from journeylib.engine import to_pandas
from journeylib.load import FIELD_LABELS
from journeylib.timezones import local_time

QUALITY_FIELDS = CANONICAL
# The stage of touchpoints without one in touchpoints_over_time (a label: shown translated).
NO_STAGE = "(no stage)"


def summary(ds: Dataset) -> dict[str, object]:
    """Size and span of a dataset, from one query.

    Returns a dict: ``rows`` (touchpoints loaded), ``customers`` (distinct ids), ``first`` and
    ``last`` (UTC timestamps of the earliest and latest touchpoint), ``stages`` (stages present),
    ``rejected`` (rows not loaded), ``touchpoints_per_customer`` (mean).
    """
    t = ds.table
    row = to_pandas(
        t.aggregate(
            rows=t.count(),
            customers=t.customer_id.nunique(),
            first=t.timestamp.min(),
            last=t.timestamp.max(),
            stages=t.stage.nunique(),
        )
    ).iloc[0]
    rows, customers = int(row["rows"]), int(row["customers"])
    return {
        "rows": rows,
        "customers": customers,
        "first": row["first"],
        "last": row["last"],
        "stages": int(row["stages"]),
        "rejected": ds.n_rejected,
        "touchpoints_per_customer": rows / customers if customers else 0.0,
    }


def data_quality(ds: Dataset) -> pd.DataFrame:
    """How complete each touchpoint field is, from one query.

    Returns one row per field: ``field``, ``source_column`` (the file's column, "" when not
    mapped), ``filled`` (rows with a value), ``missing`` (rows without), ``share_filled``
    (0..1), ``distinct`` (distinct values). For ``emotion`` a value counts as filled when it was
    turned into a valence.
    """
    t = ds.table
    columns = {f: ("valence" if f == "emotion" else f) for f in QUALITY_FIELDS}
    metrics = {}
    for field, column in columns.items():
        metrics[f"{field}__filled"] = t[column].notnull().sum()
        metrics[f"{field}__distinct"] = t[column].nunique()
    metrics["__rows"] = t.count()
    row = to_pandas(t.aggregate(**metrics)).iloc[0]
    rows = int(row["__rows"])
    records = []
    for field in QUALITY_FIELDS:
        filled = int(row[f"{field}__filled"])
        records.append(
            {
                "field": FIELD_LABELS[field],
                "source_column": ds.mapping.get(field, ""),
                "filled": filled,
                "missing": rows - filled,
                "share_filled": filled / rows if rows else 0.0,
                "distinct": int(row[f"{field}__distinct"]),
            }
        )
    return pd.DataFrame.from_records(records)


def duplicate_touchpoints(ds: Dataset) -> int:
    """Rows that repeat another row's customer, timestamp, stage, channel and touchpoint."""
    t = ds.table
    keys = ["customer_id", "timestamp", "stage", "channel", "touchpoint"]
    groups = t.group_by(keys).agg(n=t.count())
    extra = to_pandas(groups.aggregate(extra=(groups.n - 1).sum())).iloc[0]["extra"]
    return int(extra or 0)


def touchpoints_over_time(ds: Dataset, freq: str = "week") -> pd.DataFrame:
    """Touchpoints and customers per calendar period and stage, from one query.

    ``freq``: ``"day"``, ``"week"`` (weeks start on Monday) or ``"month"``, counted in the
    dataset's time zone. Returns one row per
    period and stage: ``period_start`` and ``period_end`` (local dates, end exclusive), ``stage``
    ("(no stage)" when missing), ``touchpoints``, ``customers``; sorted by period and the
    dataset's stage order.
    """
    units = {"day": "D", "week": "W", "month": "M"}
    if freq not in units:
        raise ValueError(f"freq must be one of {', '.join(units)}, not {freq!r}")
    t = ds.table
    t = t.mutate(
        period_start=local_time(ds, t.timestamp).truncate(units[freq]).date(),
        stage=t.stage.fill_null(NO_STAGE),
    )
    out = to_pandas(
        t.group_by(["period_start", "stage"])
        .agg(touchpoints=t.count(), customers=t.customer_id.nunique())
    )
    rank = {s: i for i, s in enumerate(ds.stages)}
    out["_rank"] = out["stage"].map(rank).fillna(len(rank))
    out = out.sort_values(["period_start", "_rank"]).drop(columns="_rank")
    out["period_start"] = pd.to_datetime(out["period_start"])
    step = {
        "day": pd.DateOffset(days=1),
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
    }[freq]
    out.insert(1, "period_end", out["period_start"] + step)
    return out.reset_index(drop=True)


def rejection_reasons(ds: Dataset) -> pd.DataFrame:
    """Rejected rows grouped by reason, most frequent first.

    Returns ``reason`` (the reason codes of ``Dataset.rejected``) and ``rows``.
    """
    if ds.report.rejected_counts:  # bound from a table: counted in the engine
        counts = pd.Series(ds.report.rejected_counts, dtype="int64").sort_values(
            ascending=False, kind="stable")
        return counts.rename_axis("reason").reset_index(name="rows")
    reasons = ds.rejected["reason"] if len(ds.rejected) else pd.Series([], dtype=object)
    return (
        reasons.value_counts()
        .rename_axis("reason")
        .reset_index(name="rows")
    )
