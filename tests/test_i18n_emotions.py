"""The Emotions, Journey map and Touchpoints sentences, chart texts and the Excel report in
Russian and Polish: plural forms, decimal commas and locale percentages on real numbers."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

import journeylib as jl
from journeylib import emotion as em
from journeylib import i18n
from journeylib import journey_map as jm
from journeylib import moments as mo
from journeylib import touchpoints as tp
from journeylib.charts.emotion import emotion_curve_chart
from journeylib.charts.journey_map import journey_map_chart
from journeylib.report import excel_report
from tests.apptest import open_page

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def sample(sample_dataset: jl.Dataset) -> jl.Dataset:
    return sample_dataset


def _points(customers: int, ratings: int) -> pd.DataFrame:
    return pd.DataFrame({"touchpoint": ["Checkout"], "customers": [customers], "n": [ratings],
                         "share_negative": [0.364], "share_positive": [0.5],
                         "enough_data": [True], "significant": [True]})


@pytest.mark.parametrize(
    ("lang", "customers", "ratings", "text"),
    [
        ("ru", 2019, 1871, f"Главная болевая точка — «Checkout»: 36,4{NBSP}% из 1{NBSP}871 оценки "
                           f"негативны, с ней сталкиваются 2{NBSP}019 клиентов."),
        ("ru", 21, 22, f"Главная болевая точка — «Checkout»: 36,4{NBSP}% из 22 оценок негативны, "
                       "с ней сталкивается 21 клиент."),
        ("ru", 3, 5, f"Главная болевая точка — «Checkout»: 36,4{NBSP}% из 5 оценок негативны, "
                     "с ней сталкиваются 3 клиента."),
        ("pl", 2019, 1871, "Największy punkt bólu to „Checkout”: 36,4% z 1871 ocen jest "
                           "negatywnych, a trafia na niego 2019 klientów."),
        ("pl", 1, 1, "Największy punkt bólu to „Checkout”: 36,4% z 1 oceny jest negatywnych, "
                     "a trafia na niego 1 klient."),
    ],
)
def test_pain_point_sentence_plurals(lang, customers, ratings, text) -> None:
    with i18n.language(lang):
        assert em.describe_points(_points(customers, ratings), "pain") == text


def test_emotion_sentences_on_the_sample_in_russian_and_polish(sample: jl.Dataset) -> None:
    curve = em.emotion_curve(sample, "touchpoint")
    monthly = em.emotion_timeline(sample, "month")
    weekly = em.emotion_timeline(sample, "week")
    with i18n.language("ru"):
        assert em.describe_curve(curve, "touchpoint").startswith(
            "Хуже всего клиенты чувствуют себя в точке контакта «Support call» (средняя оценка "
            f"\u22120,01, негативных 39,1{NBSP}%)")
        assert em.describe_timeline(monthly, "month").startswith(
            "Провал эмоций — июн 2026: средняя оценка \u22120,01")
        # four flagged weeks: "4 недели" (few)
        assert em.describe_timeline(weekly, "week").endswith("Всего ниже обычного 4 недели.")
        assert em.describe_journey_score(em.journey_score(sample)).startswith(
            f"86,9{NBSP}% отдельных оценок нейтральны или лучше, но лишь 50,6{NBSP}% из "
            f"4{NBSP}794 клиентов с оценками")
    with i18n.language("pl"):
        assert em.describe_timeline(monthly, "month").startswith(
            "Spadek emocji — cze 2026: średnia ocena \u22120,01")
        assert em.describe_timeline(weekly, "week").endswith(
            "W sumie 4 tygodnie są poniżej typowego.")


def test_moment_of_truth_sentence_in_russian_and_polish(sample: jl.Dataset) -> None:
    moments = mo.moments_of_truth(sample, "purchase")
    with i18n.language("ru"):
        assert mo.describe_moment(moments, "purchase").startswith(
            "Клиенты с плохим опытом в точке «Checkout» покупают на 40 процентных пунктов реже, "
            f"чем клиенты с хорошим (95{NBSP}% ДИ 35–45); если бы связь была причинной, "
            "исправление всего плохого опыта (случаев: 681) дало бы примерно на 272 больше "
            "клиентов, которые покупают.")
        assert mo.describe_moment(moments.iloc[:0], "retention").endswith(
            "до результата «удержание», поэтому момент истины назвать нельзя.")
    with i18n.language("pl"):
        assert mo.describe_moment(moments, "Advocacy").startswith(
            "Klienci ze złym doświadczeniem w punkcie „Checkout” docierają do etapu „Advocacy” "
            "o 40 punktów procentowych rzadziej")
    assert [i18n.t("emotions.describe.pct_points", "ru", n=n) for n in (1, 2, 5, 21)] == [
        "1 процентный пункт", "2 процентных пункта", "5 процентных пунктов",
        "21 процентный пункт"]


def test_scorecard_and_journey_map_sentences(sample: jl.Dataset) -> None:
    targets = pd.DataFrame({"touchpoint": ["Checkout", "Order placed"],
                            "kpi": ["share_negative", "valence"], "target": [0.2, 0.3],
                            "owner": ["Payments team", "Shop"]})
    card = tp.scorecard(sample, targets)
    jmap = jm.build_journey_map(sample, targets)
    with i18n.language("ru"):
        assert tp.describe_scorecard(card) == (
            "Цель достигнута у 1 из 2 точек контакта с целью. Цель не достигнута: Checkout.")
        assert tp.describe_scorecard(tp.scorecard(sample)).startswith(
            "18 точек контакта, целей пока нет")
        assert jm.describe_stage(jmap, "Awareness").startswith(
            f"Awareness (путь покупателя): средняя оценка эмоции +0,28 по 4{NBSP}477 оценкам")
        assert jm.describe_map(jmap).endswith(
            "моменты истины: Checkout (покупка), Support call (удержание).")
        # the channel mix is text for people: Russian percentages
        assert tp.scorecard(sample)["channel_mix"].str.contains(f"{NBSP}%").all()
        stages = jm.build_journey_map(sample).stages
        assert stages.loc[3, "channels"].startswith(f"direct 42{NBSP}%")
    assert card["channel_mix"].iloc[0] == "display 100%"
    with i18n.language("pl"):
        assert tp.describe_scorecard(card) == (
            "Cel osiąga 1 z 2 punktów styku z celem. Cel nieosiągnięty: Checkout.")
        assert jm.describe_stage(jmap, "Retention").startswith(
            "Retention (ścieżka klienta po zakupie): średnia ocena emocji +0,28 z 1618 ocen")


def test_charts_carry_the_languages_texts_and_locale(sample: jl.Dataset) -> None:
    with i18n.language("ru"):
        spec = emotion_curve_chart(em.emotion_curve(sample, "stage"), "stage").to_dict()
        jmap = jm.build_journey_map(sample)
        map_spec = journey_map_chart(jmap.stages, jmap.touchpoints).to_dict()
    assert spec["title"]["text"] == "Кривая эмоций по этапам"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert map_spec["title"]["text"] == "Карта пути клиента"
    assert map_spec["config"]["locale"]["number"]["decimal"] == ","
    cards = next(d for d in map_spec["datasets"].values() if d and "facts" in d[0])
    checkout = next(c for c in cards if c["touchpoint"] == "Checkout")
    assert checkout["facts"] == f"+0,01 · 2{NBSP}019 клиентов"
    assert checkout["why"] == "момент истины: покупка"


def test_excel_report_in_polish() -> None:
    frame = pd.DataFrame({"stage": ["Awareness"], "customers": [5000],
                          "conversion_from_start": [1.0], "journey": ["Buyer journey"],
                          "status": ["off target"], "mine": ["x"]})
    with i18n.language("pl"):
        data = excel_report({"Lejek": frame}, title="Próbka", filters="",
                            generated=dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Lejek"]
    assert sheet["A2"].value == "Filtry: brak"
    assert sheet["A3"].value == "Utworzono 23.11.2026 08:00 UTC"
    assert [c.value for c in sheet[5]] == ["Etap", "Klienci", "Konwersja od początku",
                                           "Część ścieżki", "Status", "mine"]
    assert [c.value for c in sheet[6]][3:5] == ["Ścieżka zakupowa", "cel nieosiągnięty"]
    # number formats stay Excel's own: Excel shows them in the reader's locale
    assert sheet["B6"].number_format == "#,##0"
    assert sheet["C6"].number_format == "0.0%"


def test_analysis_sheets_are_named_in_russian() -> None:
    from journeylib.report import analysis_sheets

    tiny = jl.load(pd.DataFrame({"customer": ["a", "a", "b"],
                                 "date": ["2026-03-01", "2026-03-02", "2026-03-01"],
                                 "touchpoint": ["Ad", "Visit", "Ad"]}))
    with i18n.language("ru"):
        sheets = analysis_sheets(tiny)
    assert next(iter(sheets)) == "О данных"
    assert "Воронка" in set(sheets["Не вошло"]["sheet"])


def test_pages_in_russian() -> None:
    at = open_page("emotions", lang="ru", timeout=90)
    assert at.title[0].value == "Эмоции"
    text = " ".join(m.value for m in at.markdown)
    assert "Хуже всего клиенты чувствуют себя на этапе «Retention»" in text
    assert "Главная болевая точка — «Checkout»" in text
    assert at.session_state["emo_outcome"] == "purchase"  # the code, shown translated
    assert at.selectbox(key="emo_outcome").options[0] == "Покупка"
    at.switch_page("app_pages/journey_map.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Карта пути клиента"
    at.toggle(key="jm_present").set_value(True).run()
    assert not at.exception
    assert any("Весь путь" in m.value and "5 этапов" in m.value for m in at.markdown)
    at.switch_page("app_pages/touchpoints.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Точки контакта"
    assert any("18 точек контакта" in m.value for m in at.markdown)
    assert at.get("download_button")[0].proto.label == "Скачать цели (Excel)"
