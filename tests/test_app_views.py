"""Saved views in the app: save the current view under a short name; the short link opens the
same page with the same settings in a fresh session."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import journeylib as jl
from journeylib import views, workspace
from journeylib.workspace import save_workspace
from tests.apptest import open_page

SLOW = 120  # seconds: opening a workspace under a loaded machine
OTHER_ROWS = (b"customer_id,timestamp,stage\n1,2026-03-01 10:00,Awareness\n"
              b"1,2026-03-02 10:00,Purchase\n2,2026-03-01 12:00,Awareness\n")


@pytest.fixture
def shop(tmp_path: Path, monkeypatch, sample_dataset: jl.Dataset) -> Path:
    monkeypatch.setenv("JOURNEY_DATA_DIR", str(tmp_path))
    save_workspace(sample_dataset, "Shop", directory=tmp_path)
    save_workspace(sample_dataset, "Board", directory=tmp_path, read_only=True)
    return tmp_path


def test_save_a_view_and_open_its_short_link(shop: Path) -> None:
    at = open_page("funnel", {"source": "workspace", "workspace": "Shop", "mode": "strict",
                                "segment": "Business"}, timeout=SLOW)
    assert at.session_state["funnel_mode"] == "strict"
    box = next(b for b in at.sidebar.text_input if b.label == "Short name for this view")
    box.input("business-strict")
    next(b for b in at.sidebar.button if b.label == "Save this view").click().run()
    assert not at.exception
    assert any("business-strict" in s.value for s in at.sidebar.success)
    saved = views.get_view("Shop", "business-strict", directory=shop)
    assert saved["page"] == "funnel"
    assert saved["params"]["mode"] == "strict" and saved["params"]["segment"] == ["Business"]
    assert "lang" not in saved["params"]

    # A colleague opens the short link: the Funnel page, strict mode, the Business filter.
    other = open_page(None, {"workspace": "Shop", "view": "business-strict", "lang": "pl"},
                      timeout=SLOW)
    assert other.session_state["funnel_mode"] == "strict"
    assert other.query_params["mode"] == "strict"
    assert other.query_params["segment"] == "Business"
    assert other.query_params["lang"] == "pl"  # the visitor's language is kept


def _save_view_in_panel(at: AppTest, name: str) -> None:
    box = next(b for b in at.sidebar.text_input if b.label == "Short name for this view")
    box.input(name)
    next(b for b in at.sidebar.button if b.label == "Save this view").click().run()
    assert not at.exception, at.exception


def _listed(at: AppTest) -> list[str]:
    return sorted(link.proto.label for link in at.sidebar.get("page_link"))


def test_saving_a_view_keeps_the_loaded_data(shop: Path) -> None:
    at = open_page("funnel", {"source": "workspace", "workspace": "Shop"}, timeout=SLOW)
    dataset = at.session_state["dataset"][1]
    table = dataset.table.get_name()
    targets = [{"touchpoint": "Checkout", "kpi": "valence", "target": 0.3, "owner": "Payments"}]
    at.session_state["workspace_extras"] = {"scorecard_targets": targets}  # not saved yet
    _save_view_in_panel(at, "mine")
    # The file changed, its rows did not: the same dataset (engine table, cached results) stays.
    assert at.session_state["dataset"][1] is dataset
    assert at.session_state["dataset"][1].table.get_name() == table
    assert _listed(at) == ["mine"]
    assert list(at.session_state["workspace_extras"]["views"]) == ["mine"]
    assert at.session_state["workspace_extras"]["scorecard_targets"] == targets

    # A colleague saves one view and deletes the other: this session follows, still no reload.
    views.save_view("Shop", "theirs", "emotions", {}, directory=shop)
    views.delete_view("Shop", "mine", directory=shop)
    at.run()
    assert at.session_state["dataset"][1] is dataset
    assert list(at.session_state["workspace_extras"]["views"]) == ["theirs"]
    assert _listed(at) == ["theirs"]

    # The workspace saved again with other rows: this session loads them.
    save_workspace(jl.load(OTHER_ROWS), "Shop", directory=shop)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["dataset"][1].table.get_name() != table
    assert at.session_state["dataset"][1].n_rows == 3
    assert _listed(at) == ["theirs"]  # views kept by the save


def test_a_workspace_saved_before_data_ids_is_loaded_again_after_a_view(shop: Path) -> None:
    with duckdb.connect(str(workspace.path_of("Shop", shop))) as db:
        meta = json.loads(db.execute("SELECT body FROM meta").fetchone()[0])
        del meta["data_id"]
        db.execute("UPDATE meta SET body = ?", [json.dumps(meta)])
    at = open_page("funnel", {"source": "workspace", "workspace": "Shop"}, timeout=SLOW)
    table = at.session_state["dataset"][1].table.get_name()
    _save_view_in_panel(at, "mine")
    assert at.session_state["dataset"][1].table.get_name() != table
    assert _listed(at) == ["mine"]
    assert list(at.session_state["workspace_extras"]["views"]) == ["mine"]


def test_an_unknown_view_says_so_and_shows_the_workspace(shop: Path) -> None:
    at = open_page(None, {"source": "workspace", "workspace": "Shop", "view": "gone"},
                   timeout=SLOW)
    assert any("gone" in w.value for w in at.sidebar.warning)


def test_read_only_workspaces_list_views_but_cannot_save_them(shop: Path) -> None:
    at = open_page("funnel", {"source": "workspace", "workspace": "Board"}, timeout=SLOW)
    labels = [b.label for b in at.sidebar.button]
    assert "Save this view" not in labels
    assert any("read-only" in c.value for c in at.sidebar.caption)
