"""Workspaces: datasets saved under a name in a DuckDB file, with their settings.

A workspace file holds the touchpoints, the rejected rows and a JSON record of everything needed
to rebuild the :class:`Dataset` (load report, stage model, purchase stage) plus whatever the app
keeps with it (saved views, scorecard targets). Saving writes a temporary file next to the target
and renames it over the old one, so a crash or a full disk during a save never leaves a broken
workspace behind.

Each save also records a fresh ``data_id``: changes that leave the rows alone (saving or deleting
a view, see :mod:`journeylib.views`) keep it, so a reader that has the rows loaded already can
tell from the JSON record alone (:func:`read_meta`) whether it needs to load them again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
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


def path_of(name: str, directory: str | Path | None = None) -> Path:
    """The file of workspace ``name`` (which may not exist)."""
    return data_dir(directory) / f"{slug(name)}{SUFFIX}"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the lock of workspace file ``path`` (an ``fcntl`` lock on ``<path>.lock``, shared by
    every process) while changing it, so that no change is lost to a concurrent one."""
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class Workspace:
    """A saved dataset: ``dataset`` (in the engine), ``name`` as typed, ``saved_at`` (UTC),
    ``read_only`` (viewers may not overwrite it), ``extras`` (saved views, scorecard targets: any
    JSON-serialisable dict), ``data_id`` (changes whenever the rows are saved again, not when only
    the views change; None for files saved before workspaces had it)."""

    dataset: Dataset
    name: str
    saved_at: dt.datetime
    read_only: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    data_id: str | None = None


def _check_target(target: Path, name: str, overwrite: bool) -> dict[str, Any] | None:
    """The JSON record of the file about to be replaced (None when there is none), or a
    :class:`DataError` when it may not be replaced."""
    if not target.exists():
        return None
    if not overwrite:
        raise DataError(t("errors.workspace_exists", name=name))
    meta = _read_meta(target)
    if meta.get("read_only"):
        raise DataError(t("errors.workspace_read_only", name=name))
    return meta


def merge_views(in_file: dict[str, Any] | None, ours: dict[str, Any] | None) -> dict[str, Any]:
    """The views of the file (``in_file``) plus those of ``ours`` under names the file does not
    use; on a name clash the file's view wins. Views are only ever saved straight into the file
    (:func:`journeylib.views.save_view`), so a copy held elsewhere (a session's, read when it
    opened the workspace) is the same as the file's or older."""
    merged = dict(in_file or {})
    merged.update({k: v for k, v in (ours or {}).items() if k not in merged})
    return merged


def save_workspace(
    ds: Dataset,
    name: str,
    *,
    directory: str | Path | None = None,
    read_only: bool = False,
    extras: dict[str, Any] | None = None,
    overwrite: bool = True,
    keep_views: bool = True,
) -> Path:
    """Save the rows of ``ds`` (a filtered dataset saves only what its filters keep) as workspace
    ``name`` with ``extras``; returns the file path.

    Refuses to overwrite a read-only workspace, or any workspace when ``overwrite`` is False.
    Overwriting keeps the views saved in the old file (``keep_views``), including any another
    session saved after ``extras`` was read from it: the new file holds the old file's views plus
    those of ``extras["views"]`` under other names (the file's view wins a name clash, see
    :func:`merge_views`). With ``keep_views=False`` the views are exactly ``extras["views"]``.
    Every save records a new ``data_id``. The write is atomic: the old file stays intact until
    the new one is complete, and views saved meanwhile are not lost (the old file's views are
    read under the lock view saves take, just before the new file replaces it).
    """
    folder = data_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{slug(name)}{SUFFIX}"
    _check_target(target, name, overwrite)  # fail before the long write, not after it
    meta = {
        "name": name,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "read_only": read_only,
        "data_id": uuid.uuid4().hex,
        "dataset": {
            "name": ds.name, "stages": ds.stages, "purchase_stage": ds.purchase_stage,
            "stage_model": ds.stage_model, "stage_preset": ds.stage_preset,
            "report": dataclasses.asdict(ds.report),
        },
        "extras": dict(extras or {}),
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
            out.execute("CHECKPOINT")
        with locked(target):
            old = _check_target(target, name, overwrite)  # it may have changed meanwhile
            if keep_views and old is not None:
                views = merge_views(old.get("extras", {}).get("views"),
                                    meta["extras"].get("views"))
                if views:
                    meta["extras"]["views"] = views
            with duckdb.connect(str(tmp)) as out:
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


def read_meta(name: str, *, directory: str | Path | None = None) -> dict[str, Any]:
    """The JSON record of workspace ``name`` without its rows (cheap): ``name``, ``saved_at``,
    ``read_only``, ``data_id`` (missing in files saved before it existed), ``dataset`` (settings)
    and ``extras``. Raises :class:`DataError` when there is no such workspace."""
    path = path_of(name, directory)
    if not path.exists():
        raise DataError(t("errors.workspace_missing", name=name))
    return _read_meta(path)


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
    """Workspace ``name`` as a :class:`Workspace`, its rows loaded into ``con`` (a new in-memory
    DuckDB by default). Raises :class:`DataError` when there is no such workspace."""
    path = path_of(name, directory)
    if not path.exists():
        raise DataError(t("errors.workspace_missing", name=name))
    with duckdb.connect(str(path), read_only=True) as db:
        meta = json.loads(db.execute("SELECT body FROM meta").fetchone()[0])
        touchpoints = db.execute("SELECT * FROM touchpoints").fetch_arrow_table()
        rejected = db.execute("SELECT * FROM rejected").df()
    con = con if con is not None else connect()
    table = con.create_table(new_table_name(), touchpoints)
    saved = meta["dataset"]
    dataset = Dataset(
        table=table, stages=saved["stages"], purchase_stage=saved["purchase_stage"],
        rejected=rejected, report=LoadReport.from_saved(saved["report"]), name=saved["name"],
        stage_model=saved["stage_model"], stage_preset=saved.get("stage_preset"),
    )
    return Workspace(
        dataset=dataset, name=meta["name"], saved_at=dt.datetime.fromisoformat(meta["saved_at"]),
        read_only=bool(meta["read_only"]), extras=meta["extras"], data_id=meta.get("data_id"),
    )
