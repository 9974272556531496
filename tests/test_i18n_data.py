"""The app shell and the Data page in Russian and Polish: filter descriptions, stage presets,
the emotion lexicon, the data quality chart, and the pages themselves."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from dashboard.data_panels import lexicon_order
from journeylib import i18n
from journeylib.charts.quality import touchpoints_over_time_chart
from journeylib.filters import Filters, describe_filters
from journeylib.quality import NO_STAGE
from journeylib.stages import STAGE_PRESETS, preset_for, preset_name, preset_stage_names
from tests.apptest import new_app, open_page
from tests.test_app_data import RU_CSV

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "1 Jun 2026 – 30 Jun 2026; segments: Business, Returning; channel: email"),
        ("ru", "01.06.2026 – 30.06.2026; сегменты: Business, Returning; канал: email"),
        ("pl", "01.06.2026 – 30.06.2026; segmenty: Business, Returning; kanał: email"),
    ],
)
def test_filters_are_described_in_the_language(lang, text):
    filters = Filters(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30),
                      segments=("Business", "Returning"), channels=("email",))
    with i18n.language(lang):
        assert i18n.filters_text(filters) == text
    assert i18n.say(describe_filters(filters), lang, sep="; ") == text


def test_open_ended_date_filters_read_naturally():
    since, until = Filters(start=dt.date(2026, 3, 7)), Filters(end=dt.date(2026, 3, 7))
    with i18n.language("ru"):
        assert [i18n.filters_text(since), i18n.filters_text(until)] == [
            "с 07.03.2026", "по 07.03.2026"]
    with i18n.language("pl"):
        assert [i18n.filters_text(since), i18n.filters_text(until)] == [
            "od 07.03.2026", "do 07.03.2026"]
    assert i18n.filters_text(since) == "7 Mar 2026 – the end"


def test_stage_presets_are_named_in_every_language():
    assert preset_name("Awareness → Advocacy", "ru") == "Осведомлённость → Рекомендации"
    assert preset_name("Need → Advocacy", "pl") == "Potrzeba → Rekomendacja"
    assert preset_stage_names("Discovery → Loyalty", "ru") == [
        "Поиск информации", "Оценка", "Покупка", "Послепродажное обслуживание", "Лояльность"]
    for preset, stages in STAGE_PRESETS.items():
        assert preset_name(preset, "en") == preset
        assert preset_stage_names(preset, "en") == stages
        for lang in ("ru", "pl"):
            names = preset_stage_names(preset, lang)
            assert len(names) == len(stages) and names != stages
            # Data that uses the names the interface shows gets the same preset back.
            assert preset_for(names) == preset, (lang, names)


def test_the_interface_languages_emotion_words_come_first():
    labels = ["joy", "meh", "злость", "radość", "anger", "радость"]
    assert lexicon_order(labels, "ru") == ["злость", "радость", "joy", "radość", "anger", "meh"]
    assert lexicon_order(labels, "pl") == ["radość", "joy", "злость", "anger", "радость", "meh"]
    assert lexicon_order(labels, "en") == ["joy", "anger", "злость", "radość", "радость", "meh"]


def test_quality_chart_speaks_the_language():
    frame = pd.DataFrame({
        "period_start": pd.to_datetime(["2026-03-02", "2026-03-02"]),
        "period_end": pd.to_datetime(["2026-03-09", "2026-03-09"]),
        "stage": ["Awareness", NO_STAGE],
        "touchpoints": [1200, 3],
        "customers": [800, 2],
    })
    with i18n.language("ru"):
        spec = touchpoints_over_time_chart(frame, ["Awareness"]).to_dict()
    assert spec["title"]["text"] == "Точки контакта по неделям"
    assert spec["encoding"]["x"]["title"] == "Неделя с (UTC)"
    assert spec["encoding"]["x"]["axis"]["format"] == "%d.%m.%Y"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Awareness", "(без этапа)"]
    english = touchpoints_over_time_chart(frame, ["Awareness"]).to_dict()
    assert english["title"]["text"] == "Touchpoints per week"
    assert english["encoding"]["color"]["scale"]["domain"] == ["Awareness", NO_STAGE]


def test_data_page_in_russian():
    at = open_page(lang="ru")
    assert at.title[0].value == "Данные"
    assert at.subheader[0].value == "Пример путей клиентов (journeys.csv)"
    assert [m.value for m in at.sidebar.metric] == [f"45{NBSP}066", f"5{NBSP}000"]
    assert f"Загружено: 45{NBSP}066 точек контакта, отклонено: 0 строк." in [
        c.value for c in at.caption]
    assert [t.label for t in at.tabs] == [
        "Просмотр", "Сопоставление столбцов", "Как прочитан файл", "Отклонённые строки (0)",
        "Качество данных", "Сохранение"]
    markdown = " ".join(m.value for m in at.markdown)
    assert "разделитель — запятая" in markdown
    assert "(шаблон «Осведомлённость → Рекомендации»)" in markdown
    stage_model = at.selectbox(key=next(k for k in at.session_state if k.startswith("stage_model")))
    assert stage_model.options[1] == "Осведомлённость → Рекомендации"
    assert stage_model.value == "auto"  # the option is a code; its text is translated
    assert "01.03.2026 – 31.08.2026 (UTC)" in [c.value for c in at.sidebar.caption]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"]["text"] == "Точки контакта по неделям"


def test_upload_in_polish_uses_plural_forms():
    at = open_page(lang="pl")
    at.file_uploader[0].set_value(("klienci.csv", RU_CSV, "text/csv")).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Wczytano: 3 punkty styku, odrzucono: 2 wiersze." in captions
    assert "Odrzucono 2 wiersze — zobacz stronę Dane." in [w.value for w in at.sidebar.warning]
    assert any("Nie da się użyć 2 z 5 wierszy" in w.value for w in at.warning)
    markdown = " ".join(m.value for m in at.markdown)
    assert "separator: średnik" in markdown and "pominięto 1 wiersz tytułu nad nim" in markdown


def test_switching_language_keeps_the_data_and_filters():
    at = open_page()
    key = at.session_state["dataset"][1].key
    next(m for m in at.sidebar.multiselect if m.label == "Segments").set_value(["Business"]).run()
    at.selectbox(key="lang").set_value("ru").run()
    assert not at.exception
    assert at.session_state["dataset"][1].key == key  # same engine table: cached results stay
    assert at.session_state["filters"].segments == ("Business",)
    assert "В анализах учитываются только: сегмент: Business." in [
        c.value for c in at.sidebar.caption]
    assert at.subheader[0].value == "Пример путей клиентов (journeys.csv)"
    assert at.sidebar.expander[0].label == "Фильтры (включены)"


def test_access_gate_in_russian():
    at = new_app(lang="ru")
    at.secrets["access"] = {"password": "correct horse"}
    at.run()
    assert [t.value for t in at.title] == ["Панель пути клиента"]
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [
        "Неверный пароль. Уточните его у того, кто поделился с вами панелью."]
