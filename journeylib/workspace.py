"""Workspaces: datasets saved under a name in a DuckDB file, with their settings.

A workspace file holds the touchpoints, the rejected rows and a JSON record of everything needed
to rebuild the :class:`Dataset` (load report, stage model, purchase stage) plus whatever the app
keeps with it (saved views, scorecard targets). Saving writes a temporary file next to the target
and renames it over the old one, so a crash or a full disk during a save never leaves a broken
workspace behind.

A workspace is kept in a file named by a stable id chosen when it is first saved
(``q1-plan-3f9c0a1b2d4e.duckdb``: a readable start and a random part), and found by the name in
its JSON record, so two names that would share a file name ("Q1 plan", "Q1-plan") are two
workspaces. Names are compared ignoring case and runs of spaces ("Q1 plan" is "q1  PLAN").
Files saved before ids (``q1-plan.duckdb``, named after the workspace) are read the same way
and keep their file name when saved again. A file that cannot be read is listed as damaged and
left as it is, never deleted or overwritten.

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
import logging
import os
import re
import tempfile
import threading
import unicodedata
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
from journeylib.timezones import UTC, zone_names

SUFFIX = ".duckdb"
MAX_NAME = 100
# Held while a save chooses the file of a name, so two first saves of one name make one file.
_NAMES_LOCK = ".names"
_log = logging.getLogger(__name__)


class WorkspaceExists(DataError):
    """Saving without ``overwrite`` found a workspace of that name: ``name`` (as saved),
    ``saved_at`` (UTC), ``rows`` (touchpoints) and ``read_only`` describe it, so the app can
    ask before replacing it."""

    def __init__(self, message: str, *, name: str, saved_at: dt.datetime, rows: int,
                 read_only: bool) -> None:
        super().__init__(message)
        self.name, self.saved_at, self.rows, self.read_only = name, saved_at, rows, read_only


def data_dir(directory: str | Path | None = None) -> Path:
    """Where workspaces live: ``directory``, else ``$JOURNEY_DATA_DIR``, else ``./data``."""
    return Path(directory or os.environ.get("JOURNEY_DATA_DIR") or "data")


def slug(name: str) -> str:
    """The file-name form of a workspace name (letters, digits, ``-``; any script)."""
    text = re.sub(r"[^\w-]+", "-", name.strip().casefold()).strip("-_")
    if not text:
        raise DataError(t("errors.workspace_name"))
    return text[:80]


def name_key(name: str) -> str:
    """The form in which two workspace names are the same one: Unicode-normalised (NFKC),
    runs of spaces as one, case ignored. Punctuation counts ("Q1 plan" is not "Q1-plan")."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def check_name(name: str) -> str:
    """``name`` stripped, or a :class:`DataError` saying what a workspace name needs (a letter
    or digit, at most :data:`MAX_NAME` characters)."""
    name = " ".join(name.split())
    slug(name)
    if len(name) > MAX_NAME:
        raise DataError(t("workspaces.name_too_long", max=MAX_NAME, n=len(name)))
    return name


def _new_file(name: str, folder: Path) -> Path:
    return folder / f"{slug(name)[:40]}-{uuid.uuid4().hex[:12]}{SUFFIX}"


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


# The JSON record of each file read so far, by path and the file's identity on disk: a save or
# a view change renames a new file over the old one, which changes its inode and mtime.
_meta_cache: dict[Path, tuple[tuple[int, int, int], str]] = {}
_meta_cache_lock = threading.Lock()


def _read_meta(path: Path) -> dict[str, Any]:
    """The JSON record of workspace file ``path``; raises :class:`DamagedWorkspace` when the file
    is not a readable workspace (not DuckDB, no record, a record cut short or missing fields)."""
    try:
        stat = path.stat()
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with _meta_cache_lock:
            cached = _meta_cache.get(path)
        if cached is not None and cached[0] == stamp:
            body = cached[1]
        else:
            with duckdb.connect(str(path), read_only=True) as db:
                body = db.execute("SELECT body FROM meta").fetchone()[0]
        meta = json.loads(body)
        _check_meta(meta)
    except (duckdb.Error, OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise DamagedWorkspace(path, exc) from exc
    with _meta_cache_lock:
        _meta_cache[path] = (stamp, body)
    return meta


def _check_meta(meta: Any) -> None:
    if not isinstance(meta, dict) or not isinstance(meta["name"], str):
        raise TypeError("the record has no workspace name")
    dt.datetime.fromisoformat(meta["saved_at"])
    int(meta["dataset"]["report"]["n_rows"])
    bool(meta["read_only"])


class DamagedWorkspace(DataError):
    """Workspace file ``path`` cannot be read (``reason`` is the engine's or parser's error,
    for the log). The file is kept as it is."""

    def __init__(self, path: Path, reason: Exception) -> None:
        super().__init__(t("workspaces.damaged_one", file=path.name))
        self.path, self.reason = path, reason


@dataclass(frozen=True)
class _Entry:
    path: Path
    meta: dict[str, Any] | None  # None: damaged
    saved_at: pd.Timestamp  # UTC; for a damaged file, when the file last changed


def _entries(folder: Path) -> list[_Entry]:
    """Every workspace file in ``folder`` (temporary files of unfinished saves excluded)."""
    entries = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.exists() else []:
        try:
            meta = _read_meta(path)
            saved = pd.Timestamp(meta["saved_at"])
            entries.append(_Entry(path, meta, saved if saved.tzinfo else saved.tz_localize("UTC")))
        except DamagedWorkspace as exc:
            try:
                changed = pd.Timestamp(path.stat().st_mtime, unit="s", tz="UTC")
            except FileNotFoundError:
                continue  # replaced or removed while listing
            _log.warning("workspace file %s cannot be read: %s", path.name, exc.reason)
            entries.append(_Entry(path, None, changed))
    return entries


def _newest_named(name: str, folder: Path) -> _Entry | None:
    key = name_key(name)
    found = [e for e in _entries(folder) if e.meta is not None and name_key(e.meta["name"]) == key]
    return max(found, key=lambda e: e.saved_at) if found else None


def path_of(name: str, directory: str | Path | None = None) -> Path | None:
    """The file of workspace ``name`` (the newest saved, if files were copied so that two hold
    the same name); None when no readable workspace has this name."""
    entry = _newest_named(name, data_dir(directory))
    return entry.path if entry is not None else None


def _check_target(entry: _Entry | None, name: str, overwrite: bool) -> dict[str, Any] | None:
    """The JSON record of the workspace about to be replaced (None when there is none), or a
    :class:`DataError` when it may not be replaced (:class:`WorkspaceExists` without
    ``overwrite``)."""
    if entry is None:
        return None
    meta = _read_meta(entry.path)
    if not overwrite:
        raise WorkspaceExists(
            t("errors.workspace_exists", name=meta["name"]), name=meta["name"],
            saved_at=dt.datetime.fromisoformat(meta["saved_at"]),
            rows=int(meta["dataset"]["report"]["n_rows"]), read_only=bool(meta["read_only"]))
    if meta.get("read_only"):
        raise DataError(t("errors.workspace_read_only", name=meta["name"]))
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

    A new name gets a new file (a stable id, see the module's docstring); a name that exists
    (compared with :func:`name_key`) replaces that workspace in its own file. Refuses to
    overwrite a read-only workspace; with ``overwrite=False`` refuses any existing one with a
    :class:`WorkspaceExists` that describes it (so the app can ask first). A name without a
    letter or digit, or longer than :data:`MAX_NAME`, is refused; so is a save the disk cannot
    hold (a :class:`DataError`; the old file stays as it was).
    Overwriting keeps the views saved in the old file (``keep_views``), including any another
    session saved after ``extras`` was read from it: the new file holds the old file's views plus
    those of ``extras["views"]`` under other names (the file's view wins a name clash, see
    :func:`merge_views`). With ``keep_views=False`` the views are exactly ``extras["views"]``.
    Every save records a new ``data_id``. The write is atomic: the old file stays intact until
    the new one is complete, and views saved meanwhile are not lost (the old file's views are
    read under the lock view saves take, just before the new file replaces it).
    """
    name = check_name(name)
    folder = data_dir(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return _save(ds, name, folder, read_only=read_only, extras=extras,
                     overwrite=overwrite, keep_views=keep_views)
    except (OSError, duckdb.Error) as exc:
        _log.error("workspace %r could not be saved in %s: %s", name, folder, exc)
        raise DataError(t("workspaces.not_saved", name=name)) from exc


def _save(ds: Dataset, name: str, folder: Path, *, read_only: bool,
          extras: dict[str, Any] | None, overwrite: bool, keep_views: bool) -> Path:
    _check_target(_newest_named(name, folder), name, overwrite)  # fail before the long write
    meta = {
        "name": name,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "read_only": read_only,
        "data_id": uuid.uuid4().hex,
        "dataset": {
            "name": ds.name, "stages": ds.stages, "purchase_stage": ds.purchase_stage,
            "stage_model": ds.stage_model, "stage_preset": ds.stage_preset,
            "timezone": ds.timezone,
            "report": dataclasses.asdict(ds.report),
        },
        "extras": dict(extras or {}),
    }
    touchpoints = ds.table.to_pyarrow()
    handle, tmp_name = tempfile.mkstemp(prefix=f".{slug(name)}{SUFFIX}.", suffix=".tmp",
                                        dir=folder)
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
        with locked(folder / _NAMES_LOCK):
            entry = _newest_named(name, folder)  # it may have been saved meanwhile
            target = entry.path if entry is not None else _new_file(name, folder)
            with locked(target):
                old = _check_target(entry, name, overwrite)
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


def _existing(name: str, directory: str | Path | None) -> Path:
    path = path_of(name, directory)
    if path is None:
        raise DataError(t("errors.workspace_missing", name=name))
    return path


def read_meta(name: str, *, directory: str | Path | None = None) -> dict[str, Any]:
    """The JSON record of workspace ``name`` without its rows (cheap): ``name``, ``saved_at``,
    ``read_only``, ``data_id`` (missing in files saved before it existed), ``dataset`` (settings)
    and ``extras``. Raises :class:`DataError` when there is no such workspace, or
    :class:`DamagedWorkspace` when its file cannot be read."""
    return _read_meta(_existing(name, directory))


def list_workspaces(directory: str | Path | None = None) -> pd.DataFrame:
    """The saved workspaces, newest first.

    Returns ``name`` (None for a damaged file), ``saved_at`` (UTC; for a damaged file the
    time the file last changed), ``rows`` (touchpoints; missing for a damaged file),
    ``read_only`` (bool), ``file`` (file name), ``id`` (the file's stable id: its name without
    ``.duckdb``), ``damaged`` (bool: the file cannot be read; it is kept as it is) and
    ``duplicate`` (bool: a newer workspace has the same name, see :func:`name_key`, and is the
    one that opens by that name). Unfinished temporary files from interrupted saves are not
    listed.
    """
    entries = _entries(data_dir(directory))
    records, newest = [], {}
    for entry in sorted(entries, key=lambda e: e.saved_at, reverse=True):
        meta = entry.meta
        key = name_key(meta["name"]) if meta is not None else None
        records.append({
            "name": meta["name"] if meta is not None else None,
            "saved_at": entry.saved_at,
            "rows": int(meta["dataset"]["report"]["n_rows"]) if meta is not None else None,
            "read_only": bool(meta["read_only"]) if meta is not None else False,
            "file": entry.path.name, "id": entry.path.stem, "damaged": meta is None,
            "duplicate": key is not None and key in newest,
        })
        if key is not None:
            newest.setdefault(key, entry.path)
    frame = pd.DataFrame.from_records(records, columns=[
        "name", "saved_at", "rows", "read_only", "file", "id", "damaged", "duplicate"])
    frame["rows"] = frame["rows"].astype("Int64")
    frame["saved_at"] = pd.to_datetime(frame["saved_at"], utc=True)
    return frame.astype({"read_only": bool, "damaged": bool, "duplicate": bool})


def open_workspace(
    name: str, *, con: BaseBackend | None = None, directory: str | Path | None = None
) -> Workspace:
    """Workspace ``name`` as a :class:`Workspace`, its rows loaded into ``con`` (a new in-memory
    DuckDB by default). Raises :class:`DataError` when there is no such workspace, or
    :class:`DamagedWorkspace` when its file cannot be read."""
    path = _existing(name, directory)
    meta = _read_meta(path)
    try:
        with duckdb.connect(str(path), read_only=True) as db:
            touchpoints = db.execute("SELECT * FROM touchpoints").fetch_arrow_table()
            rejected = db.execute("SELECT * FROM rejected").df()
        saved = meta["dataset"]
        report = LoadReport.from_saved(saved["report"])
    except (duckdb.Error, OSError, KeyError, TypeError, ValueError) as exc:
        _log.warning("workspace file %s cannot be read: %s", path.name, exc)
        raise DamagedWorkspace(path, exc) from exc
    con = con if con is not None else connect()
    table = con.create_table(new_table_name(), touchpoints)
    dataset = Dataset(
        table=table, stages=saved["stages"], purchase_stage=saved["purchase_stage"],
        rejected=rejected, report=report, name=saved["name"],
        stage_model=saved["stage_model"], stage_preset=saved.get("stage_preset"),
        timezone=_saved_zone(saved.get("timezone")),
    )
    return Workspace(
        dataset=dataset, name=meta["name"], saved_at=dt.datetime.fromisoformat(meta["saved_at"]),
        read_only=bool(meta["read_only"]), extras=meta["extras"], data_id=meta.get("data_id"),
    )


def _saved_zone(zone: object) -> str:
    """The saved time zone when it is one this server knows (older workspaces: UTC)."""
    return zone if isinstance(zone, str) and zone in zone_names() else UTC
