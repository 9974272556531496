"""The translation catalogue is complete and consistent; locale formats and plurals are right;
no interface text is written in code outside the catalogue."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from journeylib import i18n
from journeylib.charts.base import localized
from journeylib.i18n import formats
from tests.i18n_scan import interface_files, scan, scan_source, used_keys

ROOT = Path(__file__).resolve().parent.parent
NBSP = "\u00a0"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _texts(entry: str | dict[str, str]) -> list[str]:
    return list(entry.values()) if isinstance(entry, dict) else [entry]


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_key_exists_in_every_language(lang):
    english, other = i18n.catalogue("en"), i18n.catalogue(lang)
    assert sorted(set(english) - set(other)) == [], f"missing in {lang}"
    assert sorted(set(other) - set(english)) == [], f"only in {lang} (not in English)"


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_translations_use_the_same_placeholders_and_plural_forms(lang):
    english = i18n.catalogue("en")
    for key, entry in i18n.catalogue(lang).items():
        assert isinstance(entry, dict) == isinstance(english[key], dict), key
        wanted = set().union(*(_placeholders(x) for x in _texts(english[key])))
        for text in _texts(entry):
            assert text.strip(), f"{lang} {key} is empty"
            assert _placeholders(text) <= wanted | {"n"}, f"{lang} {key}: {text!r}"
        if isinstance(entry, dict):
            assert set(entry) == set(i18n.PLURAL_FORMS[lang]), f"{lang} {key}: plural forms"
        else:
            assert _placeholders(entry) == wanted, f"{lang} {key}: {entry!r}"


def test_every_key_used_in_code_is_in_the_catalogue():
    english = i18n.catalogue("en")
    missing = [f"{p}:{line}: {key}" for p, line, key in used_keys(interface_files(ROOT))
               if key not in english]
    assert missing == []


def test_no_interface_text_is_hard_coded():
    findings = scan(interface_files(ROOT))
    assert findings == [], "\n".join(findings)


def test_the_scanner_finds_hard_coded_text():
    source = '''
import streamlit as st
def show(x):
    st.title("Funnel")
    st.caption(f"{x} customers")
    st.tabs(["Chart", t("a.b")])
    st.metric(t("a.c"), f"{x:,}")
    st.Page("app_pages/data.py", title=t("a.d"), icon=":material/map:")
'''
    lines = [line for line, _ in scan_source(source, "app_pages/x.py")]
    assert lines == [4, 5, 6]
    library = '''
def describe_x(frame):
    """Docstring is not interface text."""
    return f"{frame} went on to buy"
def load():
    raise DataError("The file is empty.")
'''
    assert [line for line, _ in scan_source(library, "journeylib/x.py")] == [4, 6]
    chart = 'def c(d):\n    return alt.Chart(d).properties(title="Funnel")\n'
    assert scan_source(chart, "journeylib/charts/x.py") == [(2, "Funnel")]


@pytest.mark.parametrize(
    ("n", "lang", "form"),
    [
        (1, "en", "one"), (0, "en", "other"), (2, "en", "other"),
        (1, "ru", "one"), (21, "ru", "one"), (11, "ru", "many"), (2, "ru", "few"),
        (24, "ru", "few"), (12, "ru", "many"), (5, "ru", "many"), (0, "ru", "many"),
        (1.5, "ru", "other"), (1, "pl", "one"), (21, "pl", "many"), (22, "pl", "few"),
        (14, "pl", "many"), (5, "pl", "many"), (102, "pl", "few"), (2.5, "pl", "other"),
    ],
)
def test_plural_categories_follow_cldr(n, lang, form):
    assert i18n.plural_category(n, lang) == form


@pytest.mark.parametrize(
    ("x", "decimals", "lang", "text"),
    [
        (1234, 0, "en", "1,234"),
        (1234, 0, "ru", f"1{NBSP}234"),
        (1234, 0, "pl", "1234"),
        (12345.678, 1, "pl", f"12{NBSP}345,7"),
        (1234567.5, 2, "ru", f"1{NBSP}234{NBSP}567,50"),
        (-0.004, 2, "en", "0.00"),
        (-3.5, 1, "ru", "-3,5"),
        (float("nan"), 1, "en", "\u2014"),
    ],
)
def test_numbers_are_written_the_languages_way(x, decimals, lang, text):
    assert formats.number(x, decimals, lang) == text


def test_percentages_dates_and_months():
    assert formats.percent(0.423, 1, "en") == "42.3%"
    assert formats.percent(0.423, 0, "ru") == f"42{NBSP}%"
    assert formats.percent(0.423, 1, "pl") == "42,3%"
    day = dt.date(2026, 3, 7)
    assert [formats.date(day, lang) for lang in ("en", "ru", "pl")] == [
        "7 Mar 2026", "07.03.2026", "07.03.2026"]
    assert [formats.month(day, lang) for lang in ("en", "ru", "pl")] == [
        "Mar 2026", "мар 2026", "mar 2026"]


def test_t_fills_placeholders_in_the_languages_format(tmp_path, monkeypatch):
    for lang, text in {
        "en": 'x = "{n} of {total} ({share:.1%}), {day}"\n'
              'rows = { one = "{n} row", other = "{n} rows" }\n',
        "ru": 'x = "{n} из {total} ({share:.1%}), {day}"\n'
              'rows = { one = "{n} строка", few = "{n} строки", many = "{n} строк", '
              'other = "{n} строки" }\n',
    }.items():
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "demo.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        day = dt.date(2026, 1, 31)
        assert i18n.t("demo.x", "en", n=1500, total=20000, share=0.075, day=day) == (
            "1,500 of 20,000 (7.5%), 31 Jan 2026")
        assert i18n.t("demo.x", "ru", n=1500, total=20000, share=0.075, day=day) == (
            f"1{NBSP}500 из 20{NBSP}000 (7,5{NBSP}%), 31.01.2026")
        assert [i18n.t("demo.rows", "ru", n=n) for n in (1, 3, 5, 21)] == [
            "1 строка", "3 строки", "5 строк", "21 строка"]
        assert i18n.t("demo.rows", "pl", n=2) == "2 rows"  # missing language: English
        with pytest.raises(KeyError):
            i18n.t("demo.nope", "en")
        with i18n.language("ru"):
            assert i18n.t("demo.rows", n=2) == "2 строки"
        assert i18n.get_language() == "en"
    finally:
        i18n.catalogue.cache_clear()


def test_library_labels_are_translated_and_user_values_kept():
    assert i18n.label("Buyer journey", "ru") == "Путь покупателя"
    assert i18n.label("Other", "pl") == "Inne"
    assert i18n.label("Checkout", "ru") == "Checkout"


def test_charts_get_the_languages_number_and_date_formats():
    chart = alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a").configure_axis(
        labelFontSize=14)
    spec = localized(chart, "ru").to_dict()
    assert spec["config"]["axis"] == {"labelFontSize": 14}
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["time"]["shortMonths"][0] == "янв"
