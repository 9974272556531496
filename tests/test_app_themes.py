"""AppTest of the Emotions page's "What customers say" section in English, Russian and Polish."""

from __future__ import annotations

import pytest

from tests.apptest import open_page

TITLES = {"en": "What customers say", "ru": "Что говорят клиенты", "pl": "Co mówią klienci"}


def _theme_table(at):
    return next(d.value for d in at.dataframe if "label" in d.value.columns)


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_emotions_page_shows_the_themes_section(lang: str) -> None:
    at = open_page("emotions", lang=lang, no_errors=True)
    assert not at.exception
    assert TITLES[lang] in [s.value for s in at.subheader]
    table = _theme_table(at)
    assert len(table) >= 3
    # the cart-reset theme is in the table, with words of all three languages
    words = " ".join(table["label"].astype(str))
    assert "cart" in words and "корзина" in words and "koszyk" in words
    assert at.selectbox(key="emo_theme").value == "T1"


def test_picking_a_theme_shows_its_notes_escaped() -> None:
    at = open_page("emotions", no_errors=True)
    table = _theme_table(at)
    cart = next(code for code, words in zip(table["theme"], table["label"], strict=True)
                if "cart" in words)
    at.selectbox(key="emo_theme").set_value(cart).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "“Корзина всё время сбрасывалась, пришлось собирать заказ заново”" in text
    assert any("notes in this theme" in c.value for c in at.caption)
    # where it is said, with counts: only at Checkout, in the Consideration stage
    assert any(c.value.startswith("Said most at: Checkout (")
               and "Stage: Consideration (" in c.value
               and "," not in c.value.split(" · ")[0] for c in at.caption)
    assert any("Association, not cause" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_journey_map_shows_the_top_theme_per_stage(lang: str) -> None:
    at = open_page("journey_map", lang=lang, no_errors=True)
    assert not at.exception
    titles = {"en": "What customers say at each stage", "ru": "Что говорят клиенты на каждом этапе",
              "pl": "Co mówią klienci na każdym etapie"}
    assert titles[lang] in [e.label for e in at.expander]
    table = next(d.value for d in at.dataframe if "stage_notes" in d.value.columns)
    assert table["stage"].tolist()[0] == "Awareness"
    assert len(table) == 5
