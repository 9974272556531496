"""Workspaces: datasets saved under a name in a DuckDB file, with their settings.

A workspace file holds the touchpoints, the rejected rows and a JSON record of everything needed
to rebuild the :class:`Dataset` (load report, stage model, purchase stage) plus whatever the app
keeps with it (saved views, scorecard targets). Saving writes a temporary file next to the target
and renames it over the old one, so a crash or a full disk during a save never leaves a broken
workspace behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from ibis.backends import BaseBackend

from journeylib.dataset import Dataset, LoadReport, connect, new_table_name
from journeylib.errors import DataError
from journeylib.i18n import t

SUFFIX = ".duckdb"


def data_dir(directory: str | Path | None = None) -> Path:
    """Where workspaces live: ``directory``, else ``$JOURNEY_DATA_DIR``, else ``./data``."""
    return Path(directory or os.environ.get("JOURNEY_DATA_DIR") or "data")


def slug(name: str) -> str:
    """The file-name form of a workspace name (letters, digits, ``-``; any script)."""
    text = re.sub(r"[^\w-]+", "-", name.strip().casefold()).strip("-_")
    if not text:
        raise DataError(t("errors.workspace_name"))
    return text[:80]


@dataclass
class Workspace:
    """A saved dataset: ``dataset`` (in the engine), ``name`` as typed, ``saved_at`` (UTC),
    ``read_only`` (viewers may not overwrite it), ``extras`` (saved views, scorecard targets: any
    JSON-serialisable dict)."""

    dataset: Dataset
    name: str
    saved_at: dt.datetime
    read_only: bool = False
    extras: dict[str, Any] = field(default_factory=dict)


def save_workspace(
    ds: Dataset,
    name: str,
    *,
    directory: str | Path | None = None,
    read_only: bool = False,
    extras: dict[str, Any] | None = None,
    overwrite: bool = True,
) -> Path:
    """Save the rows of ``ds`` (a filtered dataset saves only what its filters keep) as workspace
    ``name``; returns the file path.

    Refuses to overwrite a read-only workspace, or any workspace when ``overwrite`` is False.
    The write is atomic: the old file stays intact until the new one is complete.
    """
    folder = data_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{slug(name)}{SUFFIX}"
    if target.exists():
        if not overwrite:
            raise DataError(t("errors.workspace_exists", name=name))
        if _read_meta(target).get("read_only"):
            raise DataError(t("errors.workspace_read_only", name=name))
    meta = {
        "name": name,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "read_only": read_only,
        "dataset": {
            "name": ds.name, "stages": ds.stages, "purchase_stage": ds.purchase_stage,
            "stage_model": ds.stage_model, "report": dataclasses.asdict(ds.report),
        },
        "extras": extras or {},
    }
    touchpoints = ds.table.to_pyarrow()
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB creates the file itself
    try:
        with duckdb.connect(str(tmp)) as out:
            out.register("touchpoints_in", touchpoints)
            out.execute("CREATE TABLE touchpoints AS SELECT * FROM touchpoints_in")
            out.register("rejected_in", ds.rejected.astype(str))
            out.execute("CREATE TABLE rejected AS SELECT * FROM rejected_in")
            out.execute("CREATE TABLE meta (body VARCHAR)")
            out.execute("INSERT INTO meta VALUES (?)", [json.dumps(meta, default=str)])
            out.execute("CHECKPOINT")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return target


def _read_meta(path: Path) -> dict[str, Any]:
    with duckdb.connect(str(path), read_only=True) as db:
        return json.loads(db.execute("SELECT body FROM meta").fetchone()[0])


def list_workspaces(directory: str | Path | None = None) -> pd.DataFrame:
    """The saved workspaces, newest first.

    Returns ``name``, ``saved_at`` (UTC), ``rows`` (touchpoints), ``read_only`` (bool) and
    ``file`` (file name). Unfinished temporary files from interrupted saves are not listed.
    """
    records = []
    folder = data_dir(directory)
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.exists() else []:
        try:
            meta = _read_meta(path)
        except duckdb.Error:
            continue  # not a workspace file
        records.append({
            "name": meta["name"], "saved_at": pd.Timestamp(meta["saved_at"]),
            "rows": meta["dataset"]["report"]["n_rows"], "read_only": bool(meta["read_only"]),
            "file": path.name,
        })
    frame = pd.DataFrame.from_records(
        records, columns=["name", "saved_at", "rows", "read_only", "file"])
    return frame.sort_values("saved_at", ascending=False, ignore_index=True)


def open_workspace(
    name: str, *, con: BaseBackend | None = None, directory: str | Path | None = None
) -> Workspace:
    """Load workspace ``name`` into ``con`` (a new in-memory DuckDB by default)."""
    path = data_dir(directory) / f"{slug(name)}{SUFFIX}"
    if not path.exists():
        raise DataError(t("errors.workspace_missing", name=name))
    with duckdb.connect(str(path), read_only=True) as db:
        meta = json.loads(db.execute("SELECT body FROM meta").fetchone()[0])
        touchpoints = db.execute("SELECT * FROM touchpoints").fetch_arrow_table()
        rejected = db.execute("SELECT * FROM rejected").df()
    con = con if con is not None else connect()
    table = con.create_table(new_table_name(), touchpoints)
    saved = meta["dataset"]
    report = LoadReport(**{
        **saved["report"],
        "emotion_scale": tuple(saved["report"]["emotion_scale"])
        if saved["report"]["emotion_scale"] else None,
    })
    dataset = Dataset(
        table=table, stages=saved["stages"], purchase_stage=saved["purchase_stage"],
        rejected=rejected, report=report, name=saved["name"], stage_model=saved["stage_model"],
    )
    return Workspace(
        dataset=dataset, name=meta["name"], saved_at=dt.datetime.fromisoformat(meta["saved_at"]),
        read_only=bool(meta["read_only"]), extras=meta["extras"],
    )
