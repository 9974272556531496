"""Shareable links: the data source and filters travel in the URL and come back from it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import journeylib as jl
from journeylib.workspace import save_workspace
from tests.apptest import open_page


def test_the_view_is_written_to_the_link() -> None:
    at = open_page()
    next(m for m in at.sidebar.multiselect if m.label == "Segments").set_value(
        ["Business", "Returning"]).run()
    assert not at.exception
    assert at.query_params["source"] == "sample"
    assert at.query_params["segment"] == ["Business", "Returning"]
    link = at.sidebar.code[0].value
    assert "source=sample" in link and "segment=Business&segment=Returning" in link


def test_a_link_restores_source_workspace_and_filters(tmp_path: Path, monkeypatch,
                                                      sample_dataset: jl.Dataset) -> None:
    monkeypatch.setenv("JOURNEY_DATA_DIR", str(tmp_path))
    save_workspace(sample_dataset, "Shop H1", directory=tmp_path)
    at = open_page(params={"source": "workspace", "workspace": "Shop H1",
                           "from": "2026-06-01", "segment": ["Business", "Nobody"]})
    assert at.radio(key="source").value == "workspace"
    assert at.selectbox(key="workspace_name").value == "Shop H1"
    filters = at.session_state["filters"]
    # Values this dataset does not have ("Nobody") are dropped, the rest kept.
    assert filters == jl.Filters(start=dt.date(2026, 6, 1), segments=("Business",))
    captions = [c.value for c in at.sidebar.caption]
    assert "Analyses show only: 1 Jun 2026 – the end; segment: Business." in captions


def test_a_bad_link_falls_back_to_the_defaults() -> None:
    at = open_page(params={"source": "nonsense", "from": "not-a-date"})
    assert at.radio(key="source").value == "sample"
    assert not at.session_state["filters"].active
