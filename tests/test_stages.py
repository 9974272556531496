"""Stage presets recognise stage names in English, Russian and Polish."""

from __future__ import annotations

import pandas as pd

import journeylib as jl
from journeylib.stages import STAGE_PRESETS, STAGE_TRANSLATIONS, order_by_preset, preset_for


def test_every_preset_stage_has_russian_and_polish_names() -> None:
    for preset in STAGE_PRESETS.values():
        for stage in preset:
            assert set(STAGE_TRANSLATIONS[stage]) == {"ru", "pl"}, stage


def test_russian_stage_names_get_the_preset_order() -> None:
    frame = pd.DataFrame({
        "Клиент": ["a", "a", "a", "b"],
        "Дата": ["01.03.2026", "02.03.2026", "03.03.2026", "01.03.2026"],
        # Customer a's events run against the journey, so only the preset can order them.
        "Этап": ["Удержание", "Покупка", "Осведомлённость", "Рассмотрение"],
    })
    ds = jl.load(frame)
    assert ds.stage_model == "preset" and ds.stage_preset == "Awareness → Advocacy"
    assert ds.stages == ["Осведомлённость", "Рассмотрение", "Покупка", "Удержание"]
    assert ds.purchase_stage == "Покупка"
    assert ds.customer_stages == ["Удержание"]


def test_polish_names_and_spelling_variants() -> None:
    assert preset_for(["Zakup", "Świadomość", "ROZWAŻANIE"]) == "Awareness → Advocacy"
    assert preset_for(["Осведомленность", "Покупка"]) == "Awareness → Advocacy"  # е for ё
    assert preset_for(["Potrzeba", "Użytkowanie"]) == "Need → Advocacy"
    assert preset_for(["Zakup", "Something else"]) is None
    order = order_by_preset(["Lojalność", "Zakup", "Odkrycie", "extra"],
                            STAGE_PRESETS["Discovery → Loyalty"])
    assert order == ["Odkrycie", "Zakup", "Lojalność", "extra"]
