"""Themes in what customers say (journeylib.themes): the planted cart-reset theme, language
detection, determinism, bounded work, data without notes and properties of the result."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib import themes as th
from journeylib.moments import customer_bucket


@pytest.fixture(scope="module")
def sample_themes(sample_dataset: jl.Dataset) -> th.ThemeResult:
    return th.find_themes(sample_dataset)


def _cart(result: th.ThemeResult) -> pd.Series:
    words = result.words
    codes = set(words.loc[words["lemma"].isin(["cart", "корзина", "koszyk"]), "theme"])
    assert len(codes) == 1, codes
    return result.themes.set_index("theme").loc[codes.pop()]


def test_the_planted_theme_is_found_in_three_languages(sample_themes: th.ThemeResult) -> None:
    cart = _cart(sample_themes)
    assert cart["languages"] == "en,ru,pl"
    assert cart["top_touchpoint"] == "Checkout"
    assert cart["top_touchpoint_notes"] == cart["notes"]  # said only at Checkout
    assert cart["valence_mean"] < -0.5 and cart["ci_high"] < 0
    # customers who say it buy less often than the other customers with a note (association)
    assert cart["effect"] < 0 and cart["effect_low"] <= cart["effect"] <= cart["effect_high"]
    words = sample_themes.words
    theme_words = words[words["theme"] == cart.name]
    for lang, lemma in (("en", "reset"), ("ru", "сбрасываться"), ("pl", "resetować")):
        assert lemma in theme_words.loc[theme_words["lang"] == lang, "lemma"].tolist()


def test_the_planted_theme_ranks_first_at_checkout(sample_dataset: jl.Dataset) -> None:
    result = th.find_themes(sample_dataset, touchpoint="Checkout")
    first = result.themes.iloc[0]
    assert first["theme"] == "T1" and first["rank"] == 1
    assert _cart(result).name == "T1"
    assert first["customers"] > result.themes["customers"].iloc[1]
    label = th.theme_label(result, "T1")
    assert "cart" in label and "корзина" in label and "koszyk" in label
    quotes = th.theme_quotes(result, "T1", limit=5)
    assert len(quotes) == 5 and (quotes["theme"] == "T1").all()
    assert quotes["valence"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Корзина всё время сбрасывалась", "ru"),
        ("Koszyk ciągle się resetował", "pl"),
        ("Dostawa byla szybka i wszystko bylo dobrze", "pl"),  # no diacritics: stop words
        ("My cart kept resetting, so I had to add everything again.", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_detection(text: str | None, lang: str) -> None:
    assert th.detect_language(text) == lang


def test_lemmas_drop_stop_words_and_reduce_words() -> None:
    # "всё" and "время" are Russian stop words of the stop-words package
    assert th.lemmas("Корзина всё время сбрасывалась", "ru") == ["корзина", "сбрасываться"]
    assert "się" not in th.lemmas("Koszyk ciągle się resetował", "pl")
    assert th.lemmas("The carts were resetting", "en") == ["cart", "reset"]


def test_same_data_same_themes(sample_dataset: jl.Dataset, sample_themes: th.ThemeResult
                               ) -> None:
    again = th.find_themes(sample_dataset)
    pd.testing.assert_frame_equal(again.themes, sample_themes.themes)
    pd.testing.assert_frame_equal(again.words, sample_themes.words)
    pd.testing.assert_frame_equal(again.places, sample_themes.places)


def test_work_is_bounded_by_the_caps(sample_dataset: jl.Dataset) -> None:
    result = th.find_themes(sample_dataset, max_notes=300, max_themes=3)
    info = result.info
    assert info["notes_analysed"] == 300 and info["sampled"]
    assert info["notes_total"] > 300
    assert len(result.notes) == 300 and len(result.themes) <= 3
    # a sample of whole customers by hash bucket: every kept customer's bucket is at most
    # every left-out one's (only the last customer may be cut at the cap)
    kept = set(result.notes["customer_id"])
    everyone = th.find_themes(sample_dataset, max_themes=1).notes["customer_id"].unique()
    left_out = [c for c in everyone if c not in kept]
    assert max(customer_bucket(c) for c in kept) <= min(customer_bucket(c) for c in left_out)
    full = th.find_themes(sample_dataset, max_themes=1)
    assert not full.info["sampled"] and full.info["notes_analysed"] == full.info["notes_total"]


def _events(notes: list[tuple[str, str, str, float | None]], converted: set[str]
            ) -> jl.Dataset:
    rows = [(c, f"2026-03-{1 + i % 27:02d} 10:00", "Consideration", tp, "web", score,
             int(c in converted), note) for i, (c, tp, note, score) in enumerate(notes)]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                        "channel", "emotion", "converted", "note"])
    return jl.load(frame, stages=["Consideration"])


def test_data_without_notes_gives_an_empty_result() -> None:
    ds = _events([("a", "Checkout", None, 4), ("b", "Delivery", None, 2)], {"a"})
    result = th.find_themes(ds)
    assert result.themes.empty and list(result.themes.columns) == th.THEME_COLUMNS
    assert result.words.empty and result.places.empty and result.notes.empty
    assert result.info["notes_total"] == 0 and result.info["notes_analysed"] == 0


def test_data_without_purchases_gives_themes_without_association() -> None:
    notes = [(f"c{i}", "Checkout", "the cart kept resetting" if i % 2 else "slow delivery",
              1.0 + i % 5) for i in range(24)]
    rows = pd.DataFrame([(c, f"2026-03-{1 + i % 27:02d}", "Checkout", note)
                         for i, (c, _tp, note, _s) in enumerate(notes)],
                        columns=["customer_id", "timestamp", "touchpoint", "note"])
    result = th.find_themes(jl.load(rows))
    assert result.info["outcome"] is None
    assert not result.themes.empty and result.themes["effect"].isna().all()


PHRASES = [
    "the cart kept resetting", "delivery was late again", "support never answered",
    "корзина сбрасывалась снова", "курьер опоздал", "поддержка не ответила",
    "koszyk się resetował", "kurier się spóźnił", "infolinia nie odpowiedziała",
    "great product and fast delivery", "отличный товар", "świetny produkt",
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 14), st.sampled_from(PHRASES),
                          st.one_of(st.none(), st.integers(1, 5)),
                          st.sampled_from(["Checkout", "Delivery", "Support call"])),
                min_size=12, max_size=60),
       st.sets(st.integers(0, 14)))
def test_result_properties(rows: list, buyers: set[int]) -> None:
    notes = [(f"c{c}", tp, text, None if s is None else float(s)) for c, text, s, tp in rows]
    result = th.find_themes(_events(notes, {f"c{b}" for b in buyers}), min_customers=1)
    themes = result.themes
    customers = result.info["customers"]
    assert customers == len({n[0] for n in notes})
    assert len(themes) <= th.MAX_THEMES
    assert (themes["customers"] <= customers).all()
    assert (themes["customers"] <= themes["notes"]).all()
    assert themes["customer_share"].between(0, 1).all()
    for col in ("valence_mean", "ci_low", "ci_high"):
        assert themes[col].dropna().between(-1, 1).all()
    for col in ("outcome_rate", "outcome_rate_other"):
        assert themes[col].dropna().between(0, 1).all()
    assert themes["effect"].dropna().between(-1, 1).all()
    assert themes["p_value"].dropna().between(0, 1).all()
    assert themes["rank"].tolist() == list(range(1, len(themes) + 1))
    assert themes["customers"].is_monotonic_decreasing


def test_top_theme_per_stage(sample_dataset: jl.Dataset, sample_themes: th.ThemeResult
                             ) -> None:
    per_stage = th.top_theme_per_stage(sample_themes, sample_dataset.stages)
    assert list(per_stage.columns) == th.STAGE_COLUMNS
    assert per_stage["stage"].tolist() == [s for s in sample_dataset.stages
                                           if s in set(per_stage["stage"])]
    assert (per_stage["customers"] <= per_stage["notes"]).all()
    assert (per_stage["notes"] <= per_stage["stage_notes"]).all()
    assert per_stage["theme"].isin(sample_themes.themes["theme"]).all()
    notes = sample_themes.notes
    for row in per_stage.itertuples(index=False):
        here = notes[(notes["stage"] == row.stage) & notes["theme"].notna()]
        counts = here.groupby("theme")["customer_id"].nunique()
        assert row.customers == counts.max()
    empty = th.ThemeResult(*(pd.DataFrame(columns=c) for c in (
        th.THEME_COLUMNS, th.WORD_COLUMNS, th.PLACE_COLUMNS, th.NOTE_COLUMNS)))
    assert th.top_theme_per_stage(empty, ["Awareness"]).empty
