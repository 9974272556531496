"""The Journeys page's intended-path section in every language, and its link."""

from __future__ import annotations

import pytest

import journeylib as jl
from journeylib import normative as nm
from journeylib.i18n import t
from tests.apptest import SAMPLE, chart_titles, counts, new_app, open_page, table

TITLES = {"en": "Intended path against the real one", "ru": "Задуманный путь и реальный",
          "pl": "Zamierzona ścieżka a rzeczywista"}


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_section_on_the_sample(lang: str) -> None:
    at = open_page("journeys", lang=lang, source="sample", no_errors=True)
    assert TITLES[lang] in [s.value for s in at.subheader]
    assert t("normative.chart.title", lang) in chart_titles(at)
    shown = table(at, "kind", "customers", "difference")
    assert list(shown["kind"]) == [t(f"normative.kind.{k}", lang) for k in nm.KINDS]
    # The table's numbers are the library's on the same data and path.
    ds = jl.load(SAMPLE)
    frame = nm.path_conformance(ds, nm.default_path(ds))
    assert counts(shown["customers"]) == list(frame["customers"])
    stages = at.multiselect(key="norm_stages")
    assert stages.value == ds.stages
    # The data's own order is the default and stays out of the link.
    assert "norm" not in at.query_params


def test_link_sets_the_intended_path() -> None:
    at = open_page("journeys", lang="en", source="sample",
                   norm=["Awareness=Display%20ad", "Consideration", "Purchase", "Nowhere"],
                   norm_detail="touchpoint_outside_stage")
    assert at.multiselect(key="norm_stages").value == ["Awareness", "Consideration",
                                                       "Purchase"]
    assert at.multiselect(key="norm_tp::Awareness").value == ["Display ad"]
    assert at.selectbox(key="norm_detail").value == "touchpoint_outside_stage"
    assert any("Nowhere" in w.value for w in at.warning)
    shown = table(at, "kind", "customers", "difference")
    ds = jl.load(SAMPLE)
    spec = nm.NormativePath(("Awareness", "Consideration", "Purchase"),
                            {"Awareness": ("Display ad",)})
    assert counts(shown["customers"]) == list(nm.path_conformance(ds, spec)["customers"])
    assert list(at.query_params["norm"]) == spec.items()
    details = table(at, "stage", "touchpoint", "customers")
    assert set(details["stage"]) == {"Awareness"}
    assert "Display ad" not in set(details["touchpoint"])


def test_a_link_that_is_not_a_path_keeps_the_default() -> None:
    at = open_page("journeys", lang="pl", source="sample", norm=["A", "A"])
    ds = jl.load(SAMPLE)
    assert at.multiselect(key="norm_stages").value == ds.stages
    assert at.warning, "the page says the link's path was not used"


def test_no_stage_chosen_says_so() -> None:
    at = new_app(lang="ru", source="sample")
    at.session_state["norm_stages"] = []
    at.switch_page("app_pages/journeys.py")
    at.run()
    assert not at.exception, at.exception
    assert t("normative.section.choose", "ru") in [i.value for i in at.info]


def test_choosing_a_deviation_shows_its_instances_and_goes_in_the_link() -> None:
    at = open_page("journeys", lang="ru", source="sample")
    at.selectbox(key="norm_detail").set_value("skipped_stage").run()
    assert not at.exception, at.exception
    assert at.query_params["norm_detail"] in (["skipped_stage"], "skipped_stage")
    ds = jl.load(SAMPLE)
    # The sample's paths to a purchase follow the stage order; its skips and moves back all
    # come after buying, which a path to buying does not include: nothing to detail.
    assert nm.deviation_details(ds, nm.default_path(ds), "skipped_stage").empty
    assert nm.deviation_details(ds, nm.default_path(ds), "went_back").empty
    assert "Ни у одного клиента нет такого отклонения." in [i.value for i in at.info]


def test_a_path_for_other_data_falls_back_to_the_data_order() -> None:
    at = new_app(lang="en", source="sample")
    at.session_state["norm_stages"] = ["Stage of another file"]
    at.switch_page("app_pages/journeys.py")
    at.run()
    assert not at.exception, at.exception
    assert at.multiselect(key="norm_stages").value == jl.load(SAMPLE).stages
