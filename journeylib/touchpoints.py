"""The touchpoint scorecard: reach, feeling and conversion per touchpoint, with KPI targets.

KPI, target and owner per touchpoint are the user's (edited in the app); they travel as a small
``targets`` frame that round-trips through an Excel workbook.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.engine import to_pandas
from journeylib.errors import DataError
from journeylib.i18n import label, percent, t
from journeylib.moments import purchase_event
from journeylib.numeric import parse_numbers
from journeylib.text import neutralise_workbook, xlsx_frame

# KPI -> (what it measures, True when higher is better). The interface shows the description
# from the catalogue (touchpoints.kpi.<name>) in the user's language.
KPIS: dict[str, tuple[str, bool]] = {
    "valence": ("mean valence of its ratings, -1..1", True),
    "share_negative": ("share of its ratings that are negative, 0..1", False),
    "reach": ("share of all customers who meet it, 0..1", True),
    "conversion_after": ("share of its customers who buy afterwards, 0..1", True),
}
TARGET_COLUMNS = ["touchpoint", "kpi", "target", "owner"]
STATUSES = ("on target", "off target", "no target", "no data")
SHEET = "Targets"


def default_targets(touchpoints: list[str]) -> pd.DataFrame:
    """A targets frame with KPI ``valence``, no target and no owner for each touchpoint."""
    return pd.DataFrame(
        {
            "touchpoint": pd.Series(touchpoints, dtype="str"),
            "kpi": pd.Series(["valence"] * len(touchpoints), dtype="str"),
            "target": pd.Series([np.nan] * len(touchpoints), dtype="float64"),
            "owner": pd.Series([""] * len(touchpoints), dtype="str"),
        }
    )


def scorecard(ds: Dataset, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per touchpoint with what it achieves and how that compares to its target.

    ``targets``: a frame with ``touchpoint``, ``kpi`` (a key of :data:`KPIS`), ``target``
    (number on the KPI's scale) and ``owner``; touchpoints not in it get KPI ``valence`` and no
    target. Two queries: channel mix, and customers / ratings / purchases after.

    Returns ``stage`` (where the touchpoint happens most often), ``touchpoint``,
    ``channel_mix`` (text such as "direct 53%, store 23%": the top three channels by share of
    its rows), ``customers`` (distinct customers who met it), ``reach`` (customers / all
    customers, 0..1), ``valence`` (mean, -1..1; NaN when unrated), ``share_negative``,
    ``conversion_after`` (share of its customers with a purchase after their first visit
    there, 0..1; NaN without purchase information), ``kpi``, ``kpi_value`` (the current
    value of the KPI), ``target``,
    ``owner`` and ``status`` (one of :data:`STATUSES`). Rows in journey order.
    """
    t = ds.table.filter(ds.table.touchpoint.notnull())
    mix = to_pandas(t.group_by(["touchpoint", "stage", "channel"]).agg(rows=t.count()))
    cols = ["stage", "touchpoint", "channel_mix", "customers", "reach", "valence",
            "share_negative", "conversion_after", "kpi", "kpi_value", "target", "owner",
            "status"]
    if mix.empty:
        return pd.DataFrame(columns=cols)
    try:
        events = ds.table.filter(purchase_event(ds))
    except DataError:
        events = None  # no purchase information: conversion_after stays empty
    per = t.group_by(["customer_id", "touchpoint"]).agg(
        first=t.timestamp.min(), v_sum=t.valence.sum(), v_n=t.valence.count(),
        v_neg=(t.valence < 0).cast("int64").sum(),
    )
    j, bought = per, {}
    if events is not None:
        last = events.group_by("customer_id").agg(last_purchase=events.timestamp.max())
        j = per.left_join(last, "customer_id")
        after = (j.last_purchase.notnull() & (j.last_purchase > j.first)).cast("int64")
        bought = {"bought": after.sum()}
    all_customers = ds.table.customer_id.nunique()
    stats = to_pandas(
        j.group_by("touchpoint")
        .agg(
            customers=j.count(),
            v_sum=j.v_sum.sum(),
            v_n=j.v_n.sum(),
            v_neg=j.v_neg.sum(),
            everyone=all_customers.as_scalar(),
            **bought,
        )
    )
    if not bought:
        stats["bought"] = np.nan
    out = _stage_and_mix(ds, mix).merge(stats, on="touchpoint", how="left")
    n = out["v_n"].astype(float).where(out["v_n"] > 0)
    out["reach"] = out["customers"] / out["everyone"]
    out["valence"] = out["v_sum"] / n
    out["share_negative"] = out["v_neg"] / n
    out["conversion_after"] = out["bought"].astype(float) / out["customers"]
    out["customers"] = out["customers"].astype("int64")
    out = _apply_targets(out, targets)
    return out[cols].reset_index(drop=True)


def _stage_and_mix(ds: Dataset, mix: pd.DataFrame) -> pd.DataFrame:
    stage_rows = mix.groupby(["touchpoint", "stage"], dropna=False)["rows"].sum().reset_index()
    stage_rows = stage_rows.sort_values(["touchpoint", "rows"], ascending=[True, False])
    stage = stage_rows.drop_duplicates("touchpoint").set_index("touchpoint")["stage"]
    channels = mix.assign(channel=mix["channel"].fillna(label("(none)")))
    channels = channels.groupby(["touchpoint", "channel"])["rows"].sum().reset_index()
    channels["share"] = channels["rows"] / channels.groupby("touchpoint")["rows"].transform("sum")
    channels = channels.sort_values(["touchpoint", "share", "channel"],
                                    ascending=[True, False, True])
    text = channels.groupby("touchpoint").apply(
        lambda g: ", ".join(f"{c} {percent(s)}" for c, s in zip(g["channel"][:3],
                                                                  g["share"][:3], strict=True)),
        include_groups=False,
    )
    first_seen = mix.groupby("touchpoint")["rows"].sum()  # only to keep every touchpoint
    out = pd.DataFrame({"touchpoint": first_seen.index})
    out["stage"] = out["touchpoint"].map(stage)
    out["channel_mix"] = out["touchpoint"].map(text)
    rank = {s: i for i, s in enumerate(ds.stages)}
    out["_rank"] = out["stage"].map(rank).fillna(len(rank))
    return out.sort_values(["_rank", "touchpoint"]).drop(columns="_rank")


def _apply_targets(out: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    given = clean_targets(targets) if targets is not None else default_targets([])
    out = out.merge(given, on="touchpoint", how="left")
    out["kpi"] = out["kpi"].fillna("valence")
    out["owner"] = out["owner"].fillna("")
    out["target"] = out["target"].astype(float)
    values = np.full(len(out), np.nan)
    for kpi in KPIS:
        rows = (out["kpi"] == kpi).to_numpy()
        values[rows] = out.loc[rows, kpi].to_numpy(float)
    out["kpi_value"] = values
    higher = out["kpi"].map(lambda k: KPIS[k][1]).to_numpy(bool)
    met = np.where(higher, values >= out["target"], values <= out["target"])
    out["status"] = np.select(
        [out["target"].isna(), np.isnan(values), met],
        ["no target", "no data", "on target"],
        "off target",
    )
    return out


def clean_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Check and tidy a targets frame: the four :data:`TARGET_COLUMNS`, known KPIs, numeric
    targets, one row per touchpoint (the last wins). Raises :class:`DataError` otherwise."""
    missing = [c for c in TARGET_COLUMNS if c not in targets.columns]
    if missing:
        raise DataError(t("touchpoints.error.columns", columns=", ".join(TARGET_COLUMNS),
                          missing=", ".join(missing)))
    out = targets[TARGET_COLUMNS].copy()
    out = out[out["touchpoint"].notna() & (out["touchpoint"].astype(str).str.strip() != "")]
    out["touchpoint"] = out["touchpoint"].astype(str).str.strip()
    out["kpi"] = out["kpi"].fillna("valence").astype(str).str.strip().replace("", "valence")
    unknown = sorted(set(out["kpi"]) - set(KPIS))
    if unknown:
        raise DataError(t("touchpoints.error.unknown_kpi", kpis=", ".join(map(repr, unknown)),
                          choices=", ".join(KPIS)))
    # Typed targets may use the language's decimal comma ("0,3") or a percent sign.
    target = parse_numbers(out["target"].astype(object).where(out["target"].notna(), None))[0]
    typed = out["target"].notna() & (out["target"].astype(str).str.strip() != "")
    bad = typed & target.isna()
    if bad.any():
        examples = ", ".join(repr(v) for v in out.loc[bad, "target"].astype(str).head(3))
        raise DataError(t("touchpoints.error.not_numbers", examples=examples))
    out["target"] = target.astype(float)
    out["owner"] = out["owner"].fillna("").astype(str).str.strip()
    out = out.drop_duplicates("touchpoint", keep="last")
    return out.astype({"touchpoint": "str", "kpi": "str", "owner": "str"}).reset_index(drop=True)


def targets_to_excel(targets: pd.DataFrame) -> bytes:
    """An .xlsx workbook (openpyxl) with the targets on sheet "Targets" and the KPI list on
    sheet "KPIs", for download and editing."""
    clean = clean_targets(targets)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        xlsx_frame(clean).to_excel(writer, sheet_name=SHEET, index=False)
        kpis = pd.DataFrame(
            [(k, t(f"touchpoints.kpi.{k}"), t("touchpoints.higher" if up else "touchpoints.lower"))
             for k, (_, up) in KPIS.items()],
            columns=["kpi", t("touchpoints.excel.measures"), t("touchpoints.excel.better_when")],
        )
        kpis.to_excel(writer, sheet_name="KPIs", index=False)
        for sheet in writer.sheets.values():
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
        neutralise_workbook(writer.book)
    return buffer.getvalue()


def targets_from_excel(data: bytes) -> pd.DataFrame:
    """Targets read back (with the calamine reader) from a workbook like
    :func:`targets_to_excel` writes; its first sheet when there is no "Targets" sheet.
    Raises :class:`DataError` when it is not such a workbook."""
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine")
    except Exception as exc:
        raise DataError(t("touchpoints.error.not_workbook", error=str(exc))) from exc
    if not sheets:
        raise DataError(t("touchpoints.error.no_sheets"))
    frame = sheets.get(SHEET, next(iter(sheets.values())))
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return clean_targets(frame)


def describe_scorecard(card: pd.DataFrame) -> str:
    """One sentence on a :func:`scorecard`: how many touchpoints meet their targets."""
    counts = card["status"].value_counts()
    with_target = int(counts.get("on target", 0) + counts.get("off target", 0))
    if with_target == 0:
        return t("touchpoints.describe.no_targets", n=len(card))
    sentence = t("touchpoints.describe.met", met=int(counts.get("on target", 0)), n=with_target)
    off = card[card["status"] == "off target"]
    if len(off):
        sentence += " " + t("touchpoints.describe.off", names=", ".join(off["touchpoint"][:4]))
    return sentence
