"""The Funnel, Journeys and Attribution pages opened in Russian (``lang=ru`` in the link) on the
sample: texts, labels, numbers and chart titles are Russian; widget values and link parameters
stay the same codes as in English."""

from __future__ import annotations

import json

from tests.apptest import chart_titles, open_page, table, widget

NB = "\u00a0"


def test_funnel_page_in_russian() -> None:
    at = open_page("funnel", lang="ru")
    assert at.title[0].value == "Воронка"
    reading = at.markdown[0].value
    assert f"6,8{NB}% из 5{NB}000 клиентов, дошедших до этапа «Awareness»" in reading
    assert "на переходе «Consideration» → «Purchase»" in reading
    parts = [m for m in at.metric if m.label.startswith("Путь")]
    assert [m.label for m in parts] == [
        "Путь покупателя: Awareness → Purchase",
        "Путь клиента после покупки: Purchase → Advocacy",
    ]
    assert [m.value for m in parts] == [f"21,4{NB}%", f"31,7{NB}%"]
    assert chart_titles(at) == [
        "Клиенты, дошедшие до каждого шага",
        "Время от «Consideration» до «Purchase»",
        "Конверсия из «Awareness» в «Advocacy» по неделе входа",
        "Клиенты, вошедшие на этапе «Awareness»",
        "Что сопутствует конверсии",
    ]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    mode = widget(at.selectbox, "funnel_mode")
    assert mode.label == "Порядок шагов"
    assert mode.options == ["По порядку", "Строго по порядку", "В любом порядке (любые из шагов)",
                            "Сначала шаг 1, затем в любом порядке"]
    assert mode.value == "ordered"
    assert "7 дней" in widget(at.selectbox, "funnel_window").options
    captions = " ".join(c.value for c in at.caption)
    assert f"Половина из 1{NB}071 клиента, перешедшего с этапа «Consideration»" in captions
    assert f"2{NB}878 клиентов дошли до этапа «Consideration», но не до «Purchase»" in captions
    steps = table(at, "customers")
    assert steps["journey"].tolist() == ["Путь покупателя"] * 3 + ["Путь клиента после покупки"] * 2
    # Counts and shares the Russian way: a non-breaking space groups, a comma marks decimals.
    assert steps["customers"].tolist()[0] == f"5{NB}000"
    assert steps["conversion_from_previous"].tolist()[1] == f"79,0{NB}%"
    buttons = at.get("download_button")
    assert widget(buttons, "dropoff_csv").proto.label == "Скачать CSV"
    assert widget(buttons, "dropoff_xlsx").proto.label == "Скачать Excel"
    assert at.query_params["mode"] == "ordered"


def test_funnel_segments_and_controls_in_russian() -> None:
    at = open_page("funnel", lang="ru", steps=["Awareness", "Purchase"])
    widget(at.selectbox, "segments_by").set_value("channel").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "verdict" in d.value.columns)
    verdicts = dict(zip(table["breakdown"], table["verdict"], strict=True))
    # Planted in the sample: email raises the purchase odds, display does not.
    assert verdicts["email"] == "выше" and verdicts["display"] == "ниже"
    captions = " ".join(c.value for c in at.caption).replace("\\", "")  # Markdown escapes
    assert "эти группы отличаются неслучайно (p < 0,05)" in captions
    widget(at.selectbox, "funnel_window").set_value("7d").run()
    widget(at.selectbox, "dropoff_step").set_value(2).run()
    assert not at.exception
    assert at.query_params["window"] == "7d"
    assert at.query_params["steps"] == ["Awareness", "Purchase"]


def test_journeys_page_in_russian() -> None:
    at = open_page("journeys", lang="ru")
    assert at.title[0].value == "Пути клиентов"
    assert at.markdown[0].value.startswith(
        f"**Самый частый переход — Awareness → Consideration (3{NB}949 клиентов)"
    )
    assert chart_titles(at) == ["Переходы между этапами",
                                "Конверсия по отношению к задуманному пути"]
    level = widget(at.radio, "paths_level")
    assert level.options == ["этапам", "точкам контакта", "каналам"]
    level.set_value("channel").run()
    assert not at.exception
    assert at.query_params["level"] == "channel"
    assert any(c.value.startswith("Повторы одной точки контакта подряд") for c in at.caption)


def test_attribution_page_in_russian() -> None:
    at = open_page("attribution", lang="ru")
    assert at.title[0].value == "Атрибуция"
    models = next(m for m in at.multiselect if m.label == "Модели")
    assert models.value == [
        "first_touch",
        "last_touch",
        "linear",
        "position_based",
        "markov",
        "shapley",
    ]
    assert "Угасание во времени" in models.options
    reading = next(m.value for m in at.markdown if "расходятся" in m.value)
    assert "«Цепь Маркова»" in reading and "direct" in reading
    shown = table(at, "channel", "markov", "shapley")
    # Russian numbers in every cell: a decimal comma, intervals in brackets with a dash.
    assert shown["markov"].str.fullmatch(r"[\d\xa0]+,\d \([\d\xa0]+,\d–[\d\xa0]+,\d\)").all()
    assert not shown["linear"].str.contains(".", regex=False).any()
    notes = " ".join(m.value for m in at.markdown)
    assert "**Шепли.**" in notes and "**Цепь Маркова.**" in notes
    captions = " ".join(c.value for c in at.caption)
    assert "Без канала direct цепь предсказывает" in captions
    assert chart_titles(at)[0] == "Конверсии по каналам и моделям"
    assert at.query_params["lookback"] == "30d"


def test_attribution_page_in_polish_keeps_codes_in_the_link() -> None:
    at = open_page("attribution", lang="pl")
    assert at.title[0].value == "Atrybucja"
    next(r for r in at.radio if r.label == "Co przypisać").set_value("revenue").run()
    assert not at.exception
    assert at.query_params["measure"] == "revenue"
    assert chart_titles(at)[0] == "Przychód przypisany każdemu kanałowi, według modelu"
