"""The journey map page offers the handout on A4 or Letter (landscape), worded per language,
and the choice reaches the PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

import journeylib as jl
from journeylib import journey_map as jm
from journeylib.charts.journey_map import journey_map_chart
from journeylib.handout import workshop_handout
from tests.apptest import open_page

WORDS = {"en": "Letter landscape", "ru": "Letter, альбомная", "pl": "Letter poziomo"}


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_the_page_offers_a4_and_letter_with_a4_first(lang: str) -> None:
    at = open_page("journey_map", lang=lang, no_errors=True)
    group = at.button_group(key="jm_paper")
    assert group.value == "a4"
    assert WORDS[lang] in str(group.proto)


def test_letter_reaches_the_pdf(sample_dataset: jl.Dataset) -> None:
    jmap = jm.build_journey_map(sample_dataset)
    chart = journey_map_chart(jmap.stages, jmap.touchpoints)
    pdf = workshop_handout(sample_dataset, chart, paper="letter", map_reading=jm.describe_map(jmap))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (792, 612)
