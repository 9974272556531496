"""The attribution chart's subtitle explains only the marks it draws (bug: it always spoke of
bootstrap intervals and the participation model, also on the handout, which draws neither)."""

from __future__ import annotations

import json

import journeylib as jl
from journeylib import i18n
from journeylib.charts.attribution import attribution_chart


def _subtitle(chart) -> str:
    title = json.loads(chart.to_json())["title"]
    sub = title.get("subtitle", "")
    return " ".join(sub) if isinstance(sub, list) else sub


def test_no_intervals_and_no_participation_no_words_about_them(sample_dataset) -> None:
    frame = jl.attribution(sample_dataset, ["last_touch", "linear"], n_boot=0)
    assert _subtitle(attribution_chart(frame)) == ""


def test_intervals_and_participation_are_explained_when_drawn(sample_dataset) -> None:
    frame = jl.attribution(sample_dataset, ["markov", "participation"], n_boot=20)
    for lang, words in {"en": ("95%", "Participation"), "ru": ("95", "Участие"),
                        "pl": ("95", "Uczestnictwo")}.items():
        with i18n.language(lang):
            text = _subtitle(attribution_chart(frame))
        assert all(w in text for w in words), (lang, text)
