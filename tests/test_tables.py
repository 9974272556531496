"""The one table formatter: every kind of cell in each language, empty cells, intervals, zones."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import tables
from journeylib.i18n import formats

NB = "\u00a0"


@pytest.mark.parametrize(
    ("lang", "count", "rate", "valence", "amount", "when"),
    [
        ("en", "2,019", "36.4%", "+0.36", "$26,979.82", "12 Mar 2026, 01:02"),
        ("ru", f"2{NB}019", f"36,4{NB}%", "+0,36", f"26{NB}979,82{NB}₽", "12.03.2026 01:02"),
        ("pl", "2019", "36,4%", "+0,36", f"26{NB}979,82{NB}zł", "12.03.2026 01:02"),
    ],
)
def test_each_kind_is_written_the_languages_way(lang, count, rate, valence, amount, when):
    frame = pd.DataFrame({
        "name": ["Checkout"], "n": [2019], "rate": [0.3643], "v": [0.36], "rev": [26979.82],
        "at": [pd.Timestamp("2026-03-12 00:02:41", tz="UTC")],
    })
    currency = {"en": "USD", "ru": "RUB", "pl": "PLN"}[lang]
    shown = tables.display(frame, {
        "name": tables.text("Name"), "n": tables.integer("N"), "rate": tables.share("Rate"),
        "v": tables.signed("Valence"), "rev": tables.money("Revenue", currency),
        "at": tables.moment("At"),
    }, lang=lang, zone="Europe/Warsaw")
    assert shown.iloc[0].tolist() == ["Checkout", count, rate, valence, amount, when]


def test_empty_cells_are_none_so_the_table_shows_a_dash():
    frame = pd.DataFrame({"n": [None, 3.0], "t": [None, "x"], "at": [pd.NaT, pd.NaT]})
    shown = tables.display(frame, {"n": tables.integer("N"), "t": tables.text("T"),
                                   "at": tables.moment("At")}, lang="ru")
    assert shown["n"].tolist() == [None, "3"]
    assert shown["t"].tolist() == [None, "x"]
    assert shown["at"].tolist() == [None, None]


def test_intervals_read_like_analysts_write_them():
    frame = pd.DataFrame({"c": [120.0, 5.0], "lo": [105.0, None], "hi": [134.4, None]})
    shown = tables.display(frame, {"c": tables.interval("C", low="lo", high="hi", decimals=0)},
                           lang="pl")
    assert shown["c"].tolist() == ["120 (105\u2013134)", "5"]


def test_columns_not_named_are_left_out_unless_kept_and_order_follows_the_spec():
    frame = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    assert list(tables.display(frame, {"c": tables.integer("C"), "a": tables.integer("A")},
                               lang="en").columns) == ["c", "a"]
    kept = tables.display(frame, {"c": tables.integer("C")}, lang="en", keep_others=True)
    assert list(kept.columns) == ["c", "a", "b"]


def test_codes_are_worded_and_user_text_kept():
    frame = pd.DataFrame({"s": ["Other", "=HYPERLINK(1)"]})
    shown = tables.display(frame, {"s": tables.coded("S")}, lang="ru")
    assert shown["s"].tolist()[0] != "Other"
    assert shown["s"].tolist()[1] == "=HYPERLINK(1)"


@pytest.mark.parametrize(("x", "text"), [(0, "0%"), (1, "100%"), (0.00001, "<0.1%"),
                                         (0.99999, ">99.9%"), (0.005, "0.5%"),
                                         (0.2234, "22.3%"), (0.364, "36.4%")])
def test_one_rule_for_the_decimals_of_a_share(x, text):
    assert formats.share(x, "en") == text


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_a_share_never_reads_as_zero_or_a_hundred_unless_it_is(x):
    text = formats.share(x, "en")
    if x not in (0, 1):
        assert text not in ("0%", "100%", "0.0%", "100.0%")
    value = float(text.strip("<>%"))
    assert math.isclose(value, x * 100, abs_tol=0.1)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.sampled_from(["ru", "pl"]))
def test_russian_and_polish_numbers_never_use_a_decimal_point(x, lang):
    assert "." not in formats.number(x, 2, lang)
    assert "," not in formats.number(x, 0, lang)


def test_uploader_words_are_css_escaped_and_english_left_alone():
    from dashboard.uploader_text import _css_text, style

    assert style("en", 200) == ""
    css = style("pl", 1000)
    assert "Prze\\00015blij" in css and "na\\000020plik" in css
    hostile = _css_text('x"}</style><script>')
    assert all(c not in hostile[1:-1] for c in '"<>}{')
