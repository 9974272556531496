"""Saved views: a named link to one page of a workspace, with its settings and filters.

A view is stored in its workspace file (in the JSON record's ``extras["views"]``) as the page's
path and the link parameters of the view, so the short link ``?workspace=Shop&view=q3-checkout``
opens exactly what its author saw. Names are short: 1-40 letters, digits, spaces, ``-`` or ``_``
(any alphabet). Adding or deleting a view rewrites the workspace atomically (a copy is changed,
then renamed over the file) under the workspace's lock (:func:`journeylib.workspace.locked`, also
taken by a save of the whole workspace), so two people saving views at once both keep theirs.
Only ``extras["views"]`` changes: the rows, and the record's ``data_id`` naming them, stay as
they were, so a session with the workspace loaded need not load its rows again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from journeylib import workspace
from journeylib.errors import DataError
from journeylib.i18n import t

MAX_NAME = 40
_NAME = re.compile(r"^[\w\- ]+$")
# Parameters that belong to the person opening a view, not to the view itself.
PERSONAL_PARAMS = ("lang", "view")


def check_name(name: str) -> str:
    """``name`` stripped, or a :class:`DataError` saying what a view name may hold."""
    name = name.strip()
    if not name or len(name) > MAX_NAME or not _NAME.match(name):
        raise DataError(t("views.bad_name", max=MAX_NAME))
    return name


def _path(name: str, directory: str | Path | None) -> Path:
    path = workspace.path_of(name, directory)
    if path is None:
        raise DataError(t("views.no_workspace", name=name))
    return path


def _meta(path: Path) -> dict:
    """The JSON record of the file (read again, not from a cache: it is about to change)."""
    try:
        with duckdb.connect(str(path), read_only=True) as db:
            return json.loads(db.execute("SELECT body FROM meta").fetchone()[0])
    except (duckdb.Error, ValueError, TypeError) as exc:
        raise workspace.DamagedWorkspace(path, exc) from exc


def _rewrite_meta(path: Path, meta: dict) -> None:
    """Write ``meta`` into a copy of the workspace file, then rename the copy over it."""
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(path, tmp)
        with duckdb.connect(str(tmp)) as db:
            db.execute("UPDATE meta SET body = ?", [json.dumps(meta, default=str)])
            db.execute("CHECKPOINT")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


def list_views(workspace_name: str, *, directory: str | Path | None = None) -> pd.DataFrame:
    """The views saved in a workspace, newest first: ``name``, ``page`` (the page's path, e.g.
    ``"funnel"``), ``saved_at`` (UTC) and ``params`` (dict of link parameters)."""
    views = _meta(_path(workspace_name, directory)).get("extras", {}).get("views", {})
    frame = pd.DataFrame(
        [{"name": k, "page": v["page"], "saved_at": pd.Timestamp(v["saved_at"]),
          "params": v["params"]} for k, v in views.items()],
        columns=["name", "page", "saved_at", "params"],
    )
    return frame.sort_values("saved_at", ascending=False, ignore_index=True)


def get_view(
    workspace_name: str, view: str, *, directory: str | Path | None = None
) -> dict | None:
    """``{"page": ..., "params": {...}}`` of a saved view, or None when there is no such view
    (or no such workspace)."""
    try:
        meta = _meta(_path(workspace_name, directory))
    except DataError:
        return None
    found = meta.get("extras", {}).get("views", {}).get(view)
    return {"page": found["page"], "params": found["params"]} if found else None


def save_view(
    workspace_name: str,
    view: str,
    page: str,
    params: dict[str, str | list[str]],
    *,
    directory: str | Path | None = None,
) -> str:
    """Save (or replace) view ``view`` of ``page`` with link ``params`` in the workspace;
    returns the cleaned name. Refuses read-only workspaces. The rows and ``data_id`` stay."""
    view = check_name(view)
    path = _path(workspace_name, directory)
    kept = {k: v for k, v in params.items() if k not in PERSONAL_PARAMS}
    kept.update(source="workspace", workspace=workspace_name)
    with workspace.locked(path):
        meta = _meta(path)
        if meta.get("read_only"):
            raise DataError(t("views.read_only", name=workspace_name))
        views = meta.setdefault("extras", {}).setdefault("views", {})
        views[view] = {
            "page": page, "params": kept,
            "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        _rewrite_meta(path, meta)
    return view


def delete_view(workspace_name: str, view: str, *, directory: str | Path | None = None) -> None:
    """Remove a saved view (nothing happens when it does not exist); returns None. Refuses
    read-only workspaces. The rows and ``data_id`` stay."""
    path = _path(workspace_name, directory)
    with workspace.locked(path):
        meta = _meta(path)
        if meta.get("read_only"):
            raise DataError(t("views.read_only", name=workspace_name))
        if meta.get("extras", {}).get("views", {}).pop(view, None) is not None:
            _rewrite_meta(path, meta)
