"""Workspaces: save and reopen datasets; saving is atomic even when the process is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

import journeylib as jl
from journeylib import views
from journeylib.workspace import list_workspaces, open_workspace, save_workspace, slug

ROOT = Path(__file__).resolve().parent.parent
RU_CSV = (
    "ID клиента;Дата;Этап;Оценка;Выручка\n"
    "1001;01.03.2026 10:15;Awareness;4,5;\n"
    "1001;02.03.2026 11:00;Purchase;5;1 234,50\n"
    ";03.03.2026;Purchase;5;10\n"
).encode("cp1251")


def _writing(folder: Path) -> bool:
    for path in folder.glob(".shop.duckdb.*.tmp"):
        try:
            if path.stat().st_size > 0:
                return True
        except FileNotFoundError:  # renamed into place between listing and stat
            pass
    return False


def test_round_trip_keeps_rows_settings_and_extras(tmp_path: Path) -> None:
    ds = jl.load(RU_CSV, stages=["Purchase", "Awareness"])
    save_workspace(ds, "Март: клиенты", directory=tmp_path, extras={"views": {"v1": {"mode": "x"}}})
    listed = list_workspaces(tmp_path)
    assert list(listed["name"]) == ["Март: клиенты"]
    assert list(listed["rows"]) == [2]
    ws = open_workspace("Март: клиенты", directory=tmp_path)
    assert ws.extras == {"views": {"v1": {"mode": "x"}}}
    back = ws.dataset
    assert back.stages == ["Purchase", "Awareness"]
    assert back.purchase_stage == "Purchase"
    assert back.report.encoding == "cp1251" and back.report.emotion_scale == (1, 5)
    assert back.n_rejected == 1 and back.rejected["reason"].iloc[0] == "no_customer_id"
    original = ds.table.to_pandas().drop(columns="source_row")
    reopened = back.table.to_pandas().drop(columns="source_row")
    assert original.equals(reopened)


def test_files_saved_before_data_ids_still_open(tmp_path: Path) -> None:
    path = save_workspace(jl.load(RU_CSV), "old", directory=tmp_path)
    with duckdb.connect(str(path)) as db:  # as saved before workspaces recorded a data_id
        meta = json.loads(db.execute("SELECT body FROM meta").fetchone()[0])
        del meta["data_id"]
        db.execute("UPDATE meta SET body = ?", [json.dumps(meta)])
    ws = open_workspace("old", directory=tmp_path)
    assert ws.data_id is None and ws.dataset.n_rows == 2
    views.save_view("old", "v", "funnel", {}, directory=tmp_path)
    assert list(views.list_views("old", directory=tmp_path)["name"]) == ["v"]
    save_workspace(ws.dataset, "old", directory=tmp_path, extras=ws.extras)
    again = open_workspace("old", directory=tmp_path)
    assert again.data_id is not None and list(again.extras["views"]) == ["v"]


def test_read_only_workspace_cannot_be_overwritten(tmp_path: Path) -> None:
    ds = jl.load(RU_CSV)
    save_workspace(ds, "board", directory=tmp_path, read_only=True)
    with pytest.raises(jl.DataError, match="read-only"):
        save_workspace(ds, "Board", directory=tmp_path)
    with pytest.raises(jl.DataError, match="exists already"):
        save_workspace(ds, "board", directory=tmp_path, overwrite=False)
    assert list_workspaces(tmp_path)["read_only"].tolist() == [True]


def test_names_become_safe_file_names() -> None:
    assert slug("Q1 / Ścieżki; DROP TABLE x") == "q1-ścieżki-drop-table-x"
    assert slug("../../etc/passwd") == "etc-passwd"
    with pytest.raises(jl.DataError):
        slug("  ///  ")


def test_a_save_killed_midway_leaves_the_old_workspace_intact(tmp_path: Path) -> None:
    small = jl.load(RU_CSV)
    save_workspace(small, "shop", directory=tmp_path)
    # A child process overwrites "shop" with a dataset large enough to take a while to write;
    # it is killed as soon as DuckDB has started writing its temporary file.
    child = textwrap.dedent(f"""
        import journeylib as jl
        from journeylib.workspace import save_workspace
        frame = jl.sample.generate(n_customers=60000, seed=1)
        ds = jl.load(frame)
        print("saving", flush=True)
        save_workspace(ds, "shop", directory={str(tmp_path)!r})
        print("saved", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == "saving"
    deadline = time.monotonic() + 60
    while not _writing(tmp_path):
        assert time.monotonic() < deadline, "the save never started writing"
        if proc.poll() is not None:
            pytest.fail("the save finished before it could be interrupted")
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    ws = open_workspace("shop", directory=tmp_path)
    assert ws.dataset.n_rows == 2 and jl.summary(ws.dataset)["rows"] == 2
    assert list(list_workspaces(tmp_path)["name"]) == ["shop"]
