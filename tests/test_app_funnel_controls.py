"""AppTest of the Funnel page's new controls: the entry rule, the any-order modes, steps by
stage, touchpoint or channel (the same value twice), month windows, an exclusion, the reached
list, and the link that carries them; in English, Russian and Polish."""

from __future__ import annotations

import pytest

from journeylib.funnel import funnel, reached
from journeylib.funnel_spec import Exclusion, Step
from tests.apptest import counts, open_page, table, widget

FUNNEL = "funnel"


def _counts(at) -> list[int]:
    return counts(table(at, "customers")["customers"])


def test_best_attempt_is_the_default_and_first_entry_one_click_away(sample_dataset) -> None:
    at = open_page(FUNNEL)
    entry = widget(at.radio, "funnel_entry")
    assert entry.value == "best"
    assert entry.options == ["Best attempt", "First entry"]
    captions = " ".join(c.value for c in at.caption)
    assert "Best attempt: every entry starts an attempt" in captions
    assert at.query_params["entry"] == "best"
    widget(at.selectbox, "funnel_window").set_value("7d").run()
    best = _counts(at)
    entry = widget(at.radio, "funnel_entry").set_value("first").run()
    assert not at.exception
    assert at.query_params["entry"] == "first"
    assert "First entry: only each customer's first entry counts" in " ".join(
        c.value for c in at.caption)
    assert _counts(at) == funnel(sample_dataset, window="7d", entry="first")["customers"].tolist()
    assert best == funnel(sample_dataset, window="7d")["customers"].tolist()


def test_the_order_modes_and_month_windows_are_offered() -> None:
    at = open_page(FUNNEL)
    mode = widget(at.selectbox, "funnel_mode")
    assert mode.options == ["In order", "Strictly in order", "Any order (any of the steps)",
                            "Step 1 first, then any order"]
    mode.set_value("any").run()
    window = widget(at.selectbox, "funnel_window")
    assert "3 months" in window.options
    window.set_value("3mo").run()
    assert not at.exception
    assert at.query_params["mode"] == "any" and at.query_params["window"] == "3mo"
    widget(at.selectbox, "funnel_mode").set_value("any_after_first").run()
    assert not at.exception and at.query_params["mode"] == "any_after_first"


def test_steps_by_touchpoint_the_same_value_twice(sample_dataset) -> None:
    at = open_page(FUNNEL)
    widget(at.toggle, "funnel_custom").set_value(True).run()
    # The editor starts from the stages picked so far.
    assert widget(at.number_input, "funnel_n_steps").value == 5
    assert widget(at.selectbox, "funnel_step_1_stage").value == "Consideration"
    widget(at.number_input, "funnel_n_steps").set_value(3).run()
    widget(at.selectbox, "funnel_step_0_stage").set_value("").run()
    widget(at.selectbox, "funnel_step_0_touchpoint").set_value("Product page").run()
    widget(at.selectbox, "funnel_step_1_stage").set_value("").run()
    widget(at.selectbox, "funnel_step_1_touchpoint").set_value("Product page").run()
    widget(at.selectbox, "funnel_step_2_stage").set_value("Purchase").run()
    assert not at.exception
    steps = [Step(touchpoint="Product page"), Step(touchpoint="Product page"),
             Step(stage="Purchase")]
    frame = table(at, "customers")
    assert frame["stage"].tolist() == ["Product page", "Product page", "Purchase"]
    assert counts(frame["customers"]) == funnel(sample_dataset, steps)["customers"].tolist()
    assert at.query_params["step"] == [s.to_text() for s in steps]
    assert "steps" not in at.query_params
    # Strictly in order cannot follow touchpoint steps: the page says so and stops.
    widget(at.selectbox, "funnel_mode").set_value("strict").run()
    assert not at.exception
    assert "Strictly in order needs steps that are different stages" in at.warning[0].value


def test_a_link_carries_typed_steps_and_an_exclusion(sample_dataset) -> None:
    steps = [Step(stage="Consideration", touchpoint="Product page"), Step(stage="Purchase")]
    rule = Exclusion("Checkout", 1, 2, "touchpoint")
    at = open_page(FUNNEL, source="sample", step=[s.to_text() for s in steps],
                   exclude=rule.to_text(), entry="first", window="1mo")
    assert widget(at.toggle, "funnel_custom").value is True
    assert widget(at.selectbox, "funnel_step_0_touchpoint").value == "Product page"
    assert widget(at.selectbox, "funnel_ex_field").value == "touchpoint"
    expected = funnel(sample_dataset, steps, entry="first", window="1mo", exclude=[rule])
    assert _counts(at) == expected["customers"].tolist()
    assert at.query_params["exclude"] == rule.to_text()
    widget(at.selectbox, "funnel_ex_field").set_value("none").run()
    assert "exclude" not in at.query_params


def test_a_link_with_unknown_steps_says_so() -> None:
    at = open_page(FUNNEL, source="sample", step=["stage=Nowhere", "stage=Purchase",
                                                  "colour=red"])
    warning = " ".join(w.value for w in at.warning)
    assert "step" in warning and "Nowhere" in warning
    assert widget(at.number_input, "funnel_n_steps").value == 1
    assert _counts(at)[0] > 0


def test_the_reached_list_downloads(sample_dataset) -> None:
    at = open_page(FUNNEL)
    assert widget(at.selectbox, "reached_step").value == 5
    widget(at.selectbox, "reached_step").set_value(3).run()
    captions = " ".join(c.value for c in at.caption)
    n = len(reached(sample_dataset, 3))
    assert f"{n:,} customers reached Purchase" in captions
    # Drop-offs and reached customers each have their CSV and Excel downloads; the correlation
    # chart (last tab) its images.
    assert [b.label for b in at.main.get("download_button")] == [
        *["PNG", "SVG", "PDF"] * 3, *["Download CSV", "Download Excel"] * 2, "PNG", "SVG", "PDF"]
    assert "Customers who reached" in [s.label for s in at.selectbox]


@pytest.mark.parametrize(("lang", "entry_labels", "toggle"), [
    ("ru", ["Лучшая попытка", "Первый вход"], "Задать шаги по точке контакта или каналу"),
    ("pl", ["Najlepsza próba", "Pierwsze wejście"], "Określ kroki przez punkt styku lub kanał"),
    ("en", ["Best attempt", "First entry"], "Define steps by touchpoint or channel"),
])
def test_the_new_controls_speak_the_language(lang, entry_labels, toggle) -> None:
    at = open_page(FUNNEL, lang=lang)
    assert widget(at.radio, "funnel_entry").options == entry_labels
    custom = widget(at.toggle, "funnel_custom")
    assert custom.label == toggle
    custom.set_value(True).run()
    assert not at.exception
    assert widget(at.selectbox, "funnel_step_0_channel").value == ""
    mode = widget(at.selectbox, "funnel_mode")
    assert len(set(mode.options)) == 4
    widget(at.selectbox, "funnel_ex_field").set_value("channel").run()
    assert not at.exception
    assert at.query_params["exclude"].startswith("channel:1:2:")
