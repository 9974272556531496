"""Workspaces in the app, and sessions that never see each other's uploads."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeylib import workspace
from tests.apptest import open_page

CSV = (
    b"customer,date,stage,channel\n"
    b"a,2026-03-01,Awareness,email\n"
    b"a,2026-03-05,Purchase,direct\n"
    b"b,2026-03-02,Awareness,search\n"
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("JOURNEY_DATA_DIR", str(tmp_path))
    return tmp_path


def test_save_then_open_a_workspace(data_dir: Path) -> None:
    at = open_page()
    at.file_uploader[0].set_value(("march.csv", CSV, "text/csv")).run()
    name_box = next(t for t in at.text_input if t.label == "Workspace name")
    assert name_box.value == "march"
    name_box.input("March shop")
    next(c for c in at.checkbox if c.label.startswith("Read-only")).check()
    next(b for b in at.button if b.label == "Save workspace").click().run()
    assert not at.exception
    assert any("Saved 'March shop' (3 touchpoints)" in s.value for s in at.success)
    assert workspace.path_of("March shop", data_dir).name.startswith("march-shop-")

    other = open_page()  # a colleague in another session opens it
    other.radio(key="source").set_value("workspace").run()
    assert not other.exception
    assert other.selectbox(key="workspace_name").value == "March shop"
    assert [m.value for m in other.sidebar.metric] == ["3", "2"]
    assert other.subheader[0].value == "march.csv"
    assert "Column mapping" not in [t.label for t in other.tabs]

    # Read-only: saving over it is refused with a clear message.
    name_box = next(t for t in other.text_input if t.label == "Workspace name")
    name_box.input("March shop")
    next(b for b in other.button if b.label == "Save workspace").click().run()
    assert any("read-only" in e.value for e in other.error)


def test_no_workspaces_yet(data_dir: Path) -> None:
    at = open_page()
    at.radio(key="source").set_value("workspace").run()
    assert not at.exception
    assert any("No saved workspaces yet" in i.value for i in at.sidebar.info)


def test_two_sessions_do_not_see_each_others_uploads(data_dir: Path) -> None:
    first, second = open_page(), open_page()
    first.file_uploader[0].set_value(("secret-clients.csv", CSV, "text/csv")).run()
    second.run()
    assert [m.value for m in first.sidebar.metric] == ["3", "2"]
    assert [m.value for m in second.sidebar.metric] == ["45,066", "5,000"]
    second.radio(key="source").set_value("upload").run()
    assert any("No file yet" in i.value for i in second.sidebar.info)
    assert all("secret-clients" not in s.value for s in second.subheader)


def test_targets_set_on_an_upload_are_saved_with_its_workspace(data_dir: Path) -> None:
    at = open_page()
    at.file_uploader[0].set_value(("march.csv", CSV, "text/csv")).run()
    targets = [{"touchpoint": "Checkout", "kpi": "valence", "target": 0.3, "owner": "Payments"}]
    at.session_state["workspace_extras"] = {"scorecard_targets": targets}
    next(t for t in at.text_input if t.label == "Workspace name").input("With targets")
    next(b for b in at.button if b.label == "Save workspace").click().run()
    assert not at.exception
    assert workspace.open_workspace("With targets", directory=data_dir).extras == {
        "scorecard_targets": targets}
    # New data starts without the old data's targets.
    at.file_uploader[0].set_value(("other.csv", CSV.replace(b"a,", b"z,"), "text/csv")).run()
    assert at.session_state["workspace_extras"] == {}
