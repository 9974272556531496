"""Workspaces keyed by a stable file id: names that share a slug stay apart, a taken name is not
replaced without asking, damaged files are listed and kept, old slug-named files still open."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import journeylib as jl
from journeylib import views, workspace
from journeylib.workspace import (
    DamagedWorkspace,
    WorkspaceExists,
    list_workspaces,
    open_workspace,
    save_workspace,
)

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CSV = (b"customer,date,stage\na,2026-03-01,Awareness\na,2026-03-05,Purchase\n"
       b"b,2026-03-02,Awareness\n")
OTHER = CSV + b"c,2026-03-03,Awareness\n"


def test_names_with_one_slug_are_two_workspaces(tmp_path: Path) -> None:
    first = save_workspace(jl.load(CSV), "Q1 plan", directory=tmp_path)
    second = save_workspace(jl.load(OTHER), "Q1-plan", directory=tmp_path)
    assert first != second and first.exists() and second.exists()
    assert sorted(list_workspaces(tmp_path)["name"]) == ["Q1 plan", "Q1-plan"]
    assert open_workspace("Q1 plan", directory=tmp_path).dataset.n_rows == 3
    assert open_workspace("Q1-plan", directory=tmp_path).dataset.n_rows == 4


def test_a_replaced_workspace_keeps_its_file(tmp_path: Path) -> None:
    first = save_workspace(jl.load(CSV), "Shop", directory=tmp_path)
    again = save_workspace(jl.load(OTHER), "shop", directory=tmp_path)  # case does not count
    assert again == first
    assert list(list_workspaces(tmp_path)["id"]) == [first.stem]
    assert open_workspace("SHOP", directory=tmp_path).dataset.n_rows == 4


def test_a_taken_name_is_described_before_it_is_replaced(tmp_path: Path) -> None:
    save_workspace(jl.load(CSV), "Shop", directory=tmp_path)
    with pytest.raises(WorkspaceExists) as taken:
        save_workspace(jl.load(OTHER), "  shop ", directory=tmp_path, overwrite=False)
    assert (taken.value.name, taken.value.rows, taken.value.read_only) == ("Shop", 3, False)
    assert open_workspace("Shop", directory=tmp_path).dataset.n_rows == 3


def test_a_damaged_file_is_listed_and_kept(tmp_path: Path) -> None:
    good = save_workspace(jl.load(CSV), "Shop", directory=tmp_path)
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(good.read_bytes()[:5000])  # truncated
    broken = tmp_path / "broken-json.duckdb"
    with duckdb.connect(str(broken)) as db:
        db.execute("CREATE TABLE meta (body VARCHAR)")
        db.execute("INSERT INTO meta VALUES (?)", ['{"name": "Half'])
    listed = list_workspaces(tmp_path)
    assert sorted(listed.loc[listed["damaged"], "file"]) == ["broken-json.duckdb", "cut.duckdb"]
    assert list(listed.loc[~listed["damaged"], "name"]) == ["Shop"]
    assert listed["rows"].isna().sum() == 2
    assert cut.exists() and broken.exists()  # never deleted
    with pytest.raises(DamagedWorkspace, match=r"cut\.duckdb"):
        workspace._read_meta(cut)


def test_files_saved_before_ids_open_and_keep_their_name(tmp_path: Path) -> None:
    saved = save_workspace(jl.load(CSV), "Q1 plan", directory=tmp_path)
    old = tmp_path / "q1-plan.duckdb"  # the file name the old layout gave "Q1 plan"
    os.replace(saved, old)
    assert list(list_workspaces(tmp_path)["id"]) == ["q1-plan"]
    assert open_workspace("Q1 plan", directory=tmp_path).dataset.n_rows == 3
    views.save_view("Q1 plan", "v", "funnel", {}, directory=tmp_path)
    assert save_workspace(jl.load(OTHER), "Q1 plan", directory=tmp_path) == old
    assert list(open_workspace("Q1 plan", directory=tmp_path).extras["views"]) == ["v"]
    # A name that only shares the old file's slug gets a file of its own.
    assert save_workspace(jl.load(CSV), "Q1-plan", directory=tmp_path) != old
    assert open_workspace("Q1 plan", directory=tmp_path).dataset.n_rows == 4


def test_two_files_with_one_name_open_the_newest(tmp_path: Path) -> None:
    path = save_workspace(jl.load(CSV), "Shop", directory=tmp_path)
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(path.read_bytes())
    with duckdb.connect(str(copy)) as db:
        meta = json.loads(db.execute("SELECT body FROM meta").fetchone()[0])
        meta["saved_at"] = "2020-01-01T00:00:00+00:00"
        db.execute("UPDATE meta SET body = ?", [json.dumps(meta)])
    listed = list_workspaces(tmp_path)
    assert list(listed["duplicate"]) == [False, True]
    assert listed.loc[listed["duplicate"], "file"].item() == "copy.duckdb"
    assert workspace.path_of("shop", tmp_path) == path


def test_a_full_disk_is_a_sentence_and_the_old_file_stays(tmp_path: Path, monkeypatch) -> None:
    save_workspace(jl.load(CSV), "Shop", directory=tmp_path)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(workspace.os, "replace", full)
    with pytest.raises(jl.DataError, match="could not be saved"):
        save_workspace(jl.load(OTHER), "Shop", directory=tmp_path)
    monkeypatch.undo()
    assert open_workspace("Shop", directory=tmp_path).dataset.n_rows == 3
    assert not list(tmp_path.glob("*.tmp"))


def test_names_too_long_or_empty_are_refused(tmp_path: Path) -> None:
    with pytest.raises(jl.DataError, match="at most 100"):
        save_workspace(jl.load(CSV), "x" * 101, directory=tmp_path)
    with pytest.raises(jl.DataError, match="letter or digit"):
        save_workspace(jl.load(CSV), " -- ", directory=tmp_path)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("JOURNEY_DATA_DIR", str(tmp_path))
    return tmp_path


def _save_in_app(at: AppTest, name: str) -> None:
    next(t for t in at.text_input if t.label == "Workspace name").input(name)
    next(b for b in at.button if b.label == "Save workspace").click().run()
    assert not at.exception, at.exception


def test_the_app_asks_before_replacing_a_workspace(data_dir: Path) -> None:
    save_workspace(jl.load(CSV), "March shop", directory=data_dir)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.file_uploader[0].set_value(("other.csv", OTHER, "text/csv")).run()
    _save_in_app(at, "march SHOP")
    assert any("exists already" in w.value and "Replace" in w.value for w in at.warning)
    assert open_workspace("March shop", directory=data_dir).dataset.n_rows == 3
    next(b for b in at.button if b.label == "Keep it").click().run()
    assert any("left as it was" in i.value for i in at.info)
    assert open_workspace("March shop", directory=data_dir).dataset.n_rows == 3

    _save_in_app(at, "march SHOP")
    next(b for b in at.button if b.label == "Replace it").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    assert not any("exists already" in w.value for w in at.warning)
    assert open_workspace("March shop", directory=data_dir).dataset.n_rows == 4
    assert len(list_workspaces(data_dir)) == 1


def test_the_sidebar_names_damaged_files_and_unknown_workspaces(data_dir: Path) -> None:
    save_workspace(jl.load(CSV), "Shop", directory=data_dir)
    (data_dir / "[x](evil.example).duckdb").write_bytes(b"not a database")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"source": "workspace", "workspace": "![](https://t.example/x.png)"})
    at.run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.sidebar.warning]
    assert any("cannot be read" in w and "`[x](evil.example).duckdb`" in w
               for w in warnings)
    assert any("not saved on this server" in w and "`![](https://t.example/x.png)`" in w
               and "`Shop`" in w for w in warnings)
    assert at.selectbox(key="workspace_name").value == "Shop"
    assert [m.value for m in at.sidebar.metric] == ["3", "2"]
