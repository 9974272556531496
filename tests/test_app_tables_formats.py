"""Issue 14: tables on every analysis page in the chosen language's formats."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from journeylib import touchpoints as tp
from tests.apptest import open_page
from tests.apptest import table as shown_table

NB = "\u00a0"
DECIMAL_POINT = re.compile(r"\d\.\d")


def _cells(frame: pd.DataFrame) -> list[str]:
    return [v for v in frame.to_numpy().ravel() if isinstance(v, str)]


@pytest.mark.parametrize("lang", ["ru", "pl"])
def test_touchpoint_scorecard_is_in_the_language_with_editable_columns_first(lang):
    at = open_page("touchpoints", lang=lang, no_errors=True)
    card = at.dataframe[0].value
    assert list(card.columns[:6]) == ["touchpoint", "kpi", "kpi_value", "target", "owner",
                                      "status"]
    numbers = card[["reach", "valence", "share_negative", "kpi_value"]]
    assert not any(DECIMAL_POINT.search(c) for c in _cells(numbers))
    assert any("," in c for c in _cells(numbers))
    percent = f"{NB}%" if lang == "ru" else "%"
    assert all(c.endswith(percent) for c in card["reach"])
    # no target yet: an empty cell (shown as "—"), never "None" or "nan"
    assert card["target"].isna().all()
    assert not {"None", "nan", "NaN"} & set(_cells(card))
    # the status is words, not an emoji alone
    assert all(re.search(r"\w{3}", s) for s in card["status"])


def test_typed_targets_accept_a_decimal_comma():
    frame = pd.DataFrame({"touchpoint": ["Checkout"], "kpi": ["share_negative"],
                          "target": ["0,25"], "owner": ["Anna"]})
    assert tp.clean_targets(frame)["target"].tolist() == [0.25]


@pytest.mark.parametrize("lang", ["ru", "pl"])
def test_emotion_tables_show_full_intervals_in_the_language(lang):
    at = open_page("emotions", lang=lang, no_errors=True)
    _cx, pains, delights, moments, _themes = (d.value for d in at.dataframe)
    for table in (pains, delights):
        # the interval lives in the same cell as the mean: it cannot be cut off
        assert all(re.fullmatch(r"[+\u2212]\d,\d\d \([+\u2212]\d,\d\d…[+\u2212]\d,\d\d\)", v)
                   for v in table["valence_mean"])
        assert "ci_low" not in table.columns
    assert not any(DECIMAL_POINT.search(c) for c in _cells(moments))
    assert any(v.endswith(("pp)", "п.\u202fп.)")) for v in moments["effect"].dropna())
    # outcome names are worded, never the raw code
    outcome = at.selectbox(key="emo_outcome")
    assert "purchase" not in outcome.options
    assert any("не причина" in c.value or "nie przyczyna" in c.value for c in at.caption)


def test_english_outcome_names_and_quotes_in_typographic_marks():
    at = open_page("emotions", lang="en", no_errors=True)
    assert at.selectbox(key="emo_outcome").options[:3] == ["Purchase", "Buying again",
                                                           "Advocacy"]
    quotes = [m.value for m in at.markdown if m.value.startswith("“")]
    assert quotes and all(q.endswith("”") for q in quotes)
    dates = [c.value for c in at.caption if " · Checkout · " in c.value]
    assert dates and all(re.match(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d · ", d)
                         for d in dates)


@pytest.mark.parametrize("lang", ["ru", "pl"])
def test_data_quality_table_counts_and_shares_in_the_language(lang):
    at = open_page("data", lang=lang, no_errors=True)
    quality = next(d.value for d in at.dataframe if "share_filled" in d.value.columns)
    percent = f"{NB}%" if lang == "ru" else "%"
    assert all(c.endswith(percent) for c in quality["share_filled"])
    counts = _cells(quality[["filled", "missing", "distinct"]])
    # grouped by a (no-break) space in both languages, never an English comma or point
    assert not any(re.search(r"\d[,.]\d{3}\b", c) for c in counts)
    assert any(re.fullmatch(rf"\d{{1,3}}([{NB}\u202f ]\d{{3}})+", c) for c in counts)


@pytest.mark.parametrize("lang", ["ru", "pl"])
def test_journeys_and_funnel_tables_are_in_the_language(lang):
    """Counts grouped the language's way (Russian from four digits, Polish from five), shares
    with a decimal comma, no English decimal point anywhere, empty cells as "—"."""
    percent = f"{NB}%" if lang == "ru" else "%"
    at = open_page("journeys", lang=lang, no_errors=True)
    paths = shown_table(at, "path", "includes_conversion")
    assert paths["customers"].iloc[0] == (f"2{NB}878" if lang == "ru" else "2878")
    assert paths["share"].iloc[0] == f"57,6{percent}"
    assert not any(DECIMAL_POINT.search(c) for c in _cells(paths.drop(columns="path")))
    yes, no = ("да", "нет") if lang == "ru" else ("tak", "nie")
    assert set(paths["includes_conversion"]) <= {yes, no}
    at = open_page("funnel", lang=lang, no_errors=True, by="channel")
    groups = shown_table(at, "breakdown", "customers_1", "conversion")
    assert groups["customers_2"].iloc[0] == (
        f"2{NB}159 (79,2{percent})" if lang == "ru" else f"2159 (79,2{percent})")
    numbers = shown_table(at, "customers", "conversion_from_start")
    assert not any(DECIMAL_POINT.search(c) for c in _cells(numbers))
    assert not {"None", "nan", "NaN"} & set(_cells(numbers))
