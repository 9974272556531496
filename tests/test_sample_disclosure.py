"""Moments of truth estimated on a sample of customers say so wherever they are shown: the chart
(and so its PNG/SVG/PDF exports and the handout page), the journey map's legend and the Excel
report's About sheet. Full results say nothing."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

import journeylib as jl
from journeylib import i18n, report
from journeylib import journey_map as jm
from journeylib import moments as mo
from journeylib.charts.emotion import moments_chart
from journeylib.charts.journey_map import journey_map_chart

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "journeys.csv"


@pytest.fixture(scope="module")
def sample(sample_dataset: jl.Dataset) -> jl.Dataset:
    return sample_dataset


def _subtitle(chart) -> list[str]:
    subtitle = chart.to_dict()["title"]["subtitle"]
    return [subtitle] if isinstance(subtitle, str) else list(subtitle)


@pytest.fixture
def sampled_moments(monkeypatch):
    """Every moments-of-truth call samples about 2,000 of the sample data's 5,000 customers."""
    sampled = functools.partial(mo.moments_of_truth, sample_customers=2000)
    monkeypatch.setattr(jm, "moments_of_truth", sampled)
    monkeypatch.setattr(report, "moments_of_truth", sampled)


def test_the_short_note_gives_the_sample_size_in_each_language() -> None:
    info = {"sample_share": 0.201, "customers_sampled": 200_001.3, "customers_total": 994_752}
    assert mo.sample_note(info) == (
        "Sample of 200,001 of about 994,752 customers (20.1%), chosen by customer id.")
    with i18n.language("ru"):
        assert mo.sample_note(info).startswith("Выборка: 200\u00a0001 из примерно 994\u00a0752")
    assert mo.sample_note({"sample_share": 1.0, "customers_total": 5000,
                           "customers_sampled": 5000}) == ""
    assert mo.sample_note({}) == ""


def test_the_moments_chart_says_when_it_shows_a_sample(sample: jl.Dataset) -> None:
    full = mo.moments_of_truth(sample, "purchase")
    part = mo.moments_of_truth(sample, "purchase", sample_customers=2000)
    plain = _subtitle(moments_chart(full))  # the explanation, wrapped to fit the chart
    lines = _subtitle(moments_chart(part))
    assert len(lines) == len(plain) + 1 and lines[:-1] == plain
    assert lines[-1] == mo.sample_note(part.attrs)
    assert f"about {round(part.attrs['customers_total']):,} customers" in lines[-1]
    assert not any(mo.sample_note(part.attrs) in line for line in plain)


def test_the_journey_map_legend_says_its_stars_come_from_a_sample(
    sample: jl.Dataset, sampled_moments
) -> None:
    jmap = jm.build_journey_map(sample)
    assert jmap.moments_sample["sample_share"] < 1.0
    note = jm.map_note(jmap)
    assert note.startswith("★ moments of truth: Sample of ")
    chart = journey_map_chart(jmap.stages, jmap.touchpoints, note=note)
    assert _subtitle(chart)[-1] == note


def test_a_full_journey_map_has_no_sample_note(sample: jl.Dataset) -> None:
    jmap = jm.build_journey_map(sample)
    assert jmap.moments_sample == {}
    assert jm.map_note(jmap) == ""
    chart = journey_map_chart(jmap.stages, jmap.touchpoints, note=jm.map_note(jmap))
    assert len(_subtitle(chart)) == 2


def test_the_report_about_sheet_names_the_sampled_sheet(
    sample: jl.Dataset, sampled_moments
) -> None:
    sheets = report.analysis_sheets(sample)
    about = sheets["About"]
    assert about.loc[0, "notes"].startswith("Moments of truth: Sample of ")
    assert report.column_header("notes") == "Notes"


def test_a_full_report_has_no_notes_column(sample: jl.Dataset) -> None:
    about = report.analysis_sheets(sample)["About"]
    assert list(about.columns) == ["dataset", "touchpoints", "stages"]


def test_the_journey_map_page_shows_the_sample_note_in_both_views(sampled_moments) -> None:
    import json

    import streamlit as st

    from tests.apptest import open_page

    st.cache_data.clear()  # the page caches maps; an unsampled one may be there already
    try:
        at = open_page("journey_map")

        def subtitle() -> list[str]:
            spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
            return spec["title"]["subtitle"]

        assert subtitle()[-1].startswith("★ moments of truth: Sample of ")
        at.toggle(key="jm_present").set_value(True).run()
        assert not at.exception
        assert any(c.value.startswith("★ moments of truth: Sample of ") for c in at.caption)
    finally:
        st.cache_data.clear()  # leave no sampled map for other tests
