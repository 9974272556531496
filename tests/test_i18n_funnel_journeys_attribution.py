"""Funnel, Journeys and Attribution in Russian and Polish: the library's sentences (plural
forms, decimal commas, percentages, dates), the labels it writes into results and the charts.

Every expected text is written out by hand from the catalogue; numbers are chosen to hit each
plural form (Russian 21 one / 3 few / 5 many, Polish 1 one / 22 few / 5 many)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from journeylib import i18n
from journeylib.attribution import (
    ALL,
    by_channel,
    describe_disagreement,
    describe_removal_effects,
    model_note,
)
from journeylib.attribution import describe_transitions as describe_steps
from journeylib.charts.attribution import attribution_chart, transition_matrix_chart
from journeylib.charts.funnel import conversion_trend_chart, funnel_chart, time_to_convert_chart
from journeylib.charts.paths import transitions_heatmap
from journeylib.conversion import (
    TIME_BINS,
    describe_time_to_convert,
    describe_trend,
    format_hours,
)
from journeylib.funnel import breakdown_label, describe_funnel, describe_journey_parts
from journeylib.i18n import say
from journeylib.paths import describe_paths, describe_transitions
from journeylib.segments import describe_segments

NB = "\u00a0"
A, C, P, R = "Awareness", "Consideration", "Purchase", "Retention"


def _funnel(customers: list[int], stages: list[str]) -> pd.DataFrame:
    """A funnel result without breakdown, its conversions computed from ``customers``."""
    previous = [customers[0], *customers[:-1]]
    return pd.DataFrame(
        {
            "step": range(1, len(customers) + 1),
            "stage": stages,
            "journey": ["Buyer journey"] * len(customers),
            "customers": customers,
            "conversion_from_previous": [c / p for c, p in zip(customers, previous, strict=True)],
            "conversion_from_start": [c / customers[0] for c in customers],
            "drop_off": [p - c for c, p in zip(customers, previous, strict=True)],
            "median_hours_from_previous": [float("nan")] + [2.5] * (len(customers) - 1),
        }
    )


# --- Funnel sentences -----------------------------------------------------------------------


def test_funnel_sentence_in_russian_and_polish() -> None:
    # 1,500 enter, 1,200 consider (80%), 21 buy: 1.4% end to end, 98.25% lost at Purchase.
    frame = _funnel([1500, 1200, 21], [A, C, P])
    with i18n.language("ru"):
        assert describe_funnel(frame) == (
            f"1,4{NB}% из 1{NB}500 клиентов, дошедших до этапа «Awareness», добрались до "
            f"«Purchase»; больше всего клиентов теряется на переходе «Consideration» → "
            f"«Purchase» (уходит 98,2{NB}%)."
        )
    with i18n.language("pl"):
        # Polish groups digits only from five digits on: 1500, not 1 500.
        assert describe_funnel(frame) == (
            "1,4% z 1500 klientów, którzy dotarli do etapu „Awareness”, przeszło dalej do "
            "„Purchase”; największy odpływ jest na przejściu „Consideration” → „Purchase” "
            "(odpada 98,2% klientów)."
        )


def test_funnel_sentence_plural_forms_and_tiny_shares() -> None:
    assert describe_funnel(_funnel([21], [A])) == "21 customers reached Awareness."
    with i18n.language("ru"):
        assert describe_funnel(_funnel([21], [A])) == "До этапа «Awareness» дошёл 21 клиент."
        assert describe_funnel(_funnel([3], [A])) == "До этапа «Awareness» дошли 3 клиента."
        assert describe_funnel(_funnel([11], [A])) == "До этапа «Awareness» дошли 11 клиентов."
        # 1 of 250 is 0.4%, 1 of 5,000 0.02%: written "0,4 %" and "<0,1 %", never "0 %".
        tiny = describe_funnel(_funnel([250, 1], [A, P]))
        assert tiny.startswith(f"0,4{NB}% из 250 клиентов, дошедших до этапа «Awareness»")
        tinier = describe_funnel(_funnel([5000, 1], [A, P]))
        assert tinier.startswith(f"<0,1{NB}% из 5{NB}000 клиентов")
    with i18n.language("pl"):
        assert describe_funnel(_funnel([1], [A])) == "Do etapu „Awareness” dotarł 1 klient."
        assert describe_funnel(_funnel([22], [A])) == "Do etapu „Awareness” dotarło 22 klientów."


def test_funnel_breakdown_names_library_values_in_the_language() -> None:
    frame = pd.concat(
        [
            _funnel([100, 40], [A, P]).assign(breakdown="email"),
            _funnel([50, 5], [A, P]).assign(breakdown="Other"),
        ]
    )
    with i18n.language("ru"):
        assert describe_funnel(frame).endswith(
            f"Лучше всего — email (40,0{NB}%), хуже всего — Прочее (10,0{NB}%)."
        )
    # A user's own value that happens to read "other" is data, not the library's label.
    assert breakdown_label("other") == "other"
    assert breakdown_label("(none)") == "(none)"
    with i18n.language("pl"):
        assert breakdown_label("(none)") == "(brak)"
        assert breakdown_label("Other") == "Inne"


def test_journey_parts_sentence() -> None:
    parts = pd.DataFrame(
        [
            ["Buyer journey", A, P, 5000, 1071, 1071 / 5000],
            ["Customer journey", P, R, 1071, 340, 340 / 1071],
        ],
        columns=["journey", "from_stage", "to_stage", "entered", "reached", "conversion"],
    )
    with i18n.language("ru"):
        assert describe_journey_parts(parts) == (
            f"Путь покупателя: 21,4{NB}% из 5{NB}000 клиентов на этапе «Awareness» дошли до "
            f"«Purchase». Путь клиента после покупки: 31,7{NB}% из 1{NB}071 клиента на этапе "
            f"«Purchase» дошли до «Retention»."
        )
    with i18n.language("pl"):
        assert describe_journey_parts(parts) == (
            "Ścieżka zakupowa: 21,4% z 5000 klientów na etapie „Awareness” dotarło do "
            "„Purchase”. Ścieżka klienta po zakupie: 31,7% z 1071 klientów na etapie "
            "„Purchase” dotarło do „Retention”."
        )


# --- Time to convert, cohorts, segments -----------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "ru", "pl"),
    [
        (0.75, "45 минут", "45 minut"),
        (1 / 60, "1 минуту", "1 minutę"),
        (1.5, "1,5 часа", "1,5 godziny"),
        (50.0, "2,1 дня", "2,1 dnia"),
        (504.0, "3 недели", "3 tygodnie"),
        (1000.0, "6 недель", "6 tygodni"),
        (float("nan"), "н/д", "b.d."),
    ],
)
def test_durations_in_words(hours: float, ru: str, pl: str) -> None:
    with i18n.language("ru"):
        assert format_hours(hours) == ru
    with i18n.language("pl"):
        assert format_hours(hours) == pl


def _timing(converted: int, median: float, p90: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"converted_customers": [converted], "median_hours": [median], "p90_hours": [p90]}
    )


def test_time_to_convert_sentence() -> None:
    with i18n.language("ru"):
        assert say(describe_time_to_convert(_timing(21, 1.5, 3.5), C, P)) == (
            "Половина из 21 клиента, перешедшего с этапа «Consideration» на «Purchase», "
            "справилась быстрее чем за 1,5 часа; каждый десятый потратил больше, чем 3,5 часа."
        )
        assert say(describe_time_to_convert(_timing(0, float("nan"), float("nan")), P, R)) == (
            "Ни один клиент не перешёл с этапа «Purchase» на «Retention»."
        )
    with i18n.language("pl"):
        assert say(describe_time_to_convert(_timing(1234, 0.5, 504.0), C, P)) == (
            "Połowie z 1234 klientów, którzy przeszli z etapu „Consideration” do „Purchase”, "
            "zajęło to mniej niż 30 minut; co dziesiątemu — ponad 3 tygodnie."
        )


def _trend() -> pd.DataFrame:
    starts = pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"])
    return pd.DataFrame(
        {
            "period_start": starts,
            "entered": [40, 50, 60, 70],
            "converted": [10, 20, 6, 1],
            "conversion": [0.25, 0.4, 0.1, 1 / 70],
            "complete": [True, True, False, False],
        }
    )


def test_trend_sentence_writes_dates_the_languages_way() -> None:
    assert say(describe_trend(_trend(), A, P)) == (
        "Conversion from Awareness to Purchase ranged from 25.0% (cohort of 2 Mar 2026) to 40.0% "
        "(cohort of 9 Mar 2026). The latest 2 cohorts are left out: they are still converting."
    )
    with i18n.language("ru"):
        assert say(describe_trend(_trend(), A, P)) == (
            f"Конверсия из «Awareness» в «Purchase» колебалась от 25,0{NB}% (когорта от "
            f"02.03.2026) до 40,0{NB}% (когорта от 09.03.2026). Самые свежие когорты (2) не "
            "учтены: конверсия в них ещё идёт."
        )
        # The two complete cohorts have 40 and 50 customers: none has 51 ("51 клиент": one).
        assert say(describe_trend(_trend(), A, P, min_entered=51)) == (
            "Нет завершённых когорт, в которых на этапе «Awareness» вошёл бы хотя бы 51 клиент."
        )
    with i18n.language("pl"):
        one_young = _trend().iloc[:3]
        assert say(describe_trend(one_young, A, P)).endswith(
            "(kohorta z 09.03.2026). Pominięto najnowszą kohortę: konwersja wciąż w niej trwa."
        )


def _segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "breakdown": ["big", "other", "tiny"],
            "conversion": [0.5, 0.2, 0.1],
            "overall_conversion": [0.36, 0.36, 0.36],
            "verdict": ["higher", "lower", "not enough data"],
        }
    )


def test_segment_sentence_and_verdicts() -> None:
    with i18n.language("pl"):
        assert describe_segments(_segments()) == (
            "Na tle ogólnej konwersji 36,0% te grupy różnią się istotnie (p < 0,05): "
            "big (50,0%, wyżej), other (20,0%, niżej)."
        )
        assert i18n.label("not enough data") == "za mało danych"
    with i18n.language("ru"):
        alike = _segments().assign(verdict="no clear difference")
        assert describe_segments(alike) == (
            f"Ни одна группа не конвертируется заметно иначе, чем клиенты в целом (36,0{NB}%)."
        )
        assert i18n.label("no clear difference") == "нет явной разницы"


def test_time_bins_have_labels_in_every_language() -> None:
    for code, _, _ in TIME_BINS:
        for lang in ("ru", "pl"):
            assert i18n.label(code, lang) != code, (code, lang)
    assert i18n.label("13 weeks or more", "ru") == "от 13 недель"


# --- Journeys -------------------------------------------------------------------------------


def _moves(top: int, back: int, skips: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [A, C, top, top, "forward"],
            [C, A, back, back, "backward"],
            [A, P, skips, skips, "skip"],
        ],
        columns=["from_stage", "to_stage", "customers", "moves", "direction"],
    )


def test_transition_sentence_plural_forms() -> None:
    with i18n.language("ru"):
        assert describe_transitions(_moves(3949, 21, 3)) == (
            f"Самый частый переход — Awareness → Consideration (3{NB}949 клиентов); чаще всего "
            "назад переходят Consideration → Awareness (21 клиент); 3 перехода пропускают этап."
        )
    with i18n.language("pl"):
        assert describe_transitions(_moves(22, 1, 5)) == (
            "Najczęstsze przejście to Awareness → Consideration (22 klientów); najczęstszy "
            "powrót to Consideration → Awareness (1 klient); 5 przejść pomija etap."
        )


def test_paths_sentence() -> None:
    top = pd.DataFrame(
        {
            "path": ["Awareness → Consideration", "Awareness → Purchase", "Awareness"],
            "customers": [300, 40, 20],
            "share": [0.375, 0.05, 0.025],
            "conversion_rate": [0.13, 0.5, 1.0],
        }
    )
    with i18n.language("ru"):
        assert describe_paths(top) == (
            f"Самый частый путь — Awareness → Consideration (37,5{NB}% клиентов, конверсия "
            f"13,0{NB}%); среди путей, по которым прошли хотя бы 30 клиентов и которые не "
            f"проходят через саму конверсию, лучше всего конвертирует Awareness → Purchase "
            f"(50,0{NB}%)."
        )
    with i18n.language("pl"):
        assert describe_paths(top.iloc[:1]) == (
            "Najczęstsza ścieżka to Awareness → Consideration (37,5% klientów, konwersja 13,0%)."
        )
    # A path through the purchase converts by definition: never "converts best".
    given = top.assign(includes_conversion=[False, True, False])
    assert "converts best" not in describe_paths(given)


# --- Attribution ----------------------------------------------------------------------------


def _result() -> pd.DataFrame:
    rows = [
        ("last_touch", "direct", 60.0, 0.6, None, None),
        ("last_touch", "email", 40.0, 0.4, None, None),
        ("markov", "direct", 30.0, 0.3, 1234.5, 1300.0),
        ("markov", "email", 70.0, 0.7, 65.25, 74.0),
    ]
    frame = pd.DataFrame(
        rows, columns=["model", "channel", "conversions", "share", "ci_low", "ci_high"]
    )
    return frame.assign(
        revenue=frame["conversions"] * 10,
        revenue_ci_low=frame["ci_low"] * 10,
        revenue_ci_high=frame["ci_high"] * 10,
    )


def test_attribution_sentences() -> None:
    with i18n.language("ru"):
        assert describe_disagreement(_result()) == (
            "Сильнее всего модели расходятся в оценке direct и email: «Последнее касание» "
            f"отдаёт direct 60,0{NB}% конверсий, а «Цепь Маркова» — 30,0{NB}%; доля email при "
            f"этом растёт с 40,0{NB}% до 70,0{NB}%."
        )
        effects = pd.DataFrame({"channel": ["email", "direct"], "removal_effect": [0.1, 0.42]})
        assert describe_removal_effects(effects) == (
            f"Без канала direct цепь предсказывает на 42,0{NB}% меньше конверсий — это самая "
            "большая потеря среди всех каналов."
        )
    with i18n.language("pl"):
        agree = _result().assign(share=[0.5, 0.5, 0.49, 0.51])
        assert describe_disagreement(agree) == (
            "„Ostatni kontakt” i „Łańcuch Markowa” są zgodne: udział żadnego kanału nie "
            "zmienia się o 2 pkt proc. lub więcej."
        )
        matrix = pd.DataFrame(
            {
                "from_state": ["(start)", "email", "email"],
                "to_state": ["email", "direct", "(conversion)"],
                "transitions": [4.0, 3.0, 1.0],
                "probability": [1.0, 0.75, 0.25],
            }
        )
        assert describe_steps(matrix) == (
            "Najczęstszy krok to email → direct (3 razy; 75,0% wyjść z email)."
        )
        assert describe_steps(matrix.assign(transitions=[4.0, 1.0, 1.0])).startswith(
            "Najczęstszy krok to email → direct (1 raz;"
        )


def test_attribution_by_channel_puts_models_side_by_side() -> None:
    wide = by_channel(_result())
    assert list(wide.columns) == ["channel", "last_touch", "last_touch_low", "last_touch_high",
                                  "markov", "markov_low", "markov_high"]
    # Ordered by the data-driven model's credit; heuristics have no interval.
    assert wide["markov"].tolist() == sorted(wide["markov"], reverse=True)
    assert wide["last_touch_low"].isna().all() and wide["markov_low"].notna().all()
    revenue = by_channel(_result(), "revenue")
    assert revenue["markov"].tolist() == sorted(
        _result().query("model == 'markov'")["revenue"], reverse=True)
    with pytest.raises(ValueError, match="measure"):
        by_channel(_result(), "nonsense")


def test_every_model_has_a_name_and_a_note_in_every_language() -> None:
    for lang in ("ru", "pl"):
        with i18n.language(lang):
            for model in ALL:
                assert f"labels.{model}" in i18n.catalogue(lang), (lang, model)
                assert model_note(model) != i18n.t(f"attribution.notes.{model}", "en")
    with pytest.raises(ValueError, match="unknown model"):
        model_note("nonsense")


# --- Charts ---------------------------------------------------------------------------------


def _spec(chart) -> dict:
    return json.loads(chart.to_json())


def _titles(spec: dict) -> list[str]:
    out = []
    for part in [spec, *spec.get("layer", []), *spec.get("vconcat", [])]:
        title = part.get("title")
        if title:
            out.append(title["text"] if isinstance(title, dict) else title)
    return out


def test_funnel_charts_in_russian() -> None:
    frame = _funnel([1500, 1200, 21], [A, C, P])
    with i18n.language("ru"):
        spec = _spec(funnel_chart(frame))
        timing = pd.DataFrame(
            TIME_BINS, columns=["bin", "bin_start_hours", "bin_end_hours"]
        ).assign(customers=1, share=1 / 9, median_hours=30.0, p90_hours=3000.0)
        time_spec = _spec(time_to_convert_chart(timing, C, P))
        median, p90 = format_hours(30.0), format_hours(3000.0)
        trend_spec = _spec(conversion_trend_chart(_trend(), A, P, "month"))
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert _titles(spec) == ["Клиенты, дошедшие до каждого шага"]
    data = next(iter(spec["datasets"].values()))
    # The share over the words: "80 %" above "от предыдущего".
    assert [(row["share_label"], row["words_label"]) for row in data] == [
        ("", ""),
        (f"80,0{NB}%", "от предыдущего"),
        (f"1,8{NB}%", "от предыдущего"),
    ]
    assert {row["part"] for row in data} == {"Путь покупателя"}
    assert _titles(time_spec) == ["Время от «Consideration» до «Purchase»"]
    bins = [row["bin_label"] for data in time_spec["datasets"].values() for row in data
            if "bin_label" in row]
    assert bins[0] == "меньше 1 часа" and bins[-1] == "от 13 недель"
    # The median (30 h, in the 1–3 days bin) and the 90th percentile (in the open last bin)
    # are marked where they fall, in Russian.
    marks = [row for data in time_spec["datasets"].values() for row in data if "text" in row]
    where = {row["text"]: row["x"] for row in marks}
    assert where == {f"медиана {median}": pytest.approx(3 + 6 / 48), f"9 из 10 — за {p90}": 8.5}
    assert _titles(trend_spec) == [
        "Конверсия из «Awareness» в «Purchase» по месяцу входа",
        "Клиенты, вошедшие на этапе «Awareness»",
    ]
    assert trend_spec["vconcat"][0]["layer"][0]["encoding"]["x"]["title"] == "Месяц входа (UTC)"


def test_journey_and_attribution_charts_in_polish() -> None:
    with i18n.language("pl"):
        heat = _spec(transitions_heatmap(_moves(4, 2, 3), [A, C, P]))
        credit = _spec(attribution_chart(_result(), "revenue"))
        matrix = pd.DataFrame(
            {
                "from_state": ["(start)", "email"],
                "to_state": ["email", "(null)"],
                "transitions": [4.0, 4.0],
                "probability": [1.0, 1.0],
            }
        )
        steps = _spec(transition_matrix_chart(matrix))
    assert _titles(heat) == ["Przejścia między etapami"]
    directions = {row["direction_label"] for row in next(iter(heat["datasets"].values()))}
    assert directions == {"naprzód", "wstecz", "z pominięciem etapu"}
    assert credit["title"]["text"] == "Przychód przypisany każdemu kanałowi, według modelu"
    assert credit["config"]["locale"]["number"]["decimal"] == ","
    models = {row["model_label"] for row in next(iter(credit["datasets"].values()))}
    assert models == {"Ostatni kontakt", "Łańcuch Markowa"}
    rows = next(iter(steps["datasets"].values()))
    assert [(r["from_label"], r["to_label"]) for r in rows] == [
        ("(początek)", "email"),
        ("email", "(brak konwersji)"),
    ]
