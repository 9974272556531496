"""Screenshot review of the Funnel, Emotions and Data pages: weekly/monthly date axes labelled at
the data's own period starts (Mondays), the same in every browser time zone; the trend line only
through cohorts that had time to convert; the note that first entry and best attempt agree
without a window; the conversion-rule box not repeating the sentence above it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
import vl_convert as vlc

from journeylib import i18n
from journeylib.charts.base import period_ticks
from journeylib.charts.emotion import emotion_timeline_chart
from journeylib.charts.funnel import conversion_trend_chart
from journeylib.conversion import conversion_trend
from journeylib.emotion import emotion_timeline
from tests.apptest import open_page, widget

LANGS = ("en", "ru", "pl")
# Zones west and east of UTC: a local-time axis would show other dates there.
ZONES = ("UTC", "America/Los_Angeles", "Pacific/Kiritimati")


def _axis_labels(scene: dict) -> list[list[str]]:
    """The label texts of every axis of a scenegraph, axis by axis."""
    found: list[list[str]] = []

    def walk(mark: dict) -> None:
        if mark.get("marktype") == "text" and mark.get("role") == "axis-label":
            found.append([str(item.get("text")) for item in mark.get("items", [])])
        for item in mark.get("items", []):
            if isinstance(item, dict):
                walk(item)

    walk(scene["scenegraph"])
    return found


def _marks(scene: dict, marktype: str) -> list[dict]:
    """The items of every data mark (not legend symbols) of ``marktype`` in a scenegraph."""
    found: list[dict] = []

    def walk(mark: dict) -> None:
        if mark.get("marktype") == marktype and mark.get("role") == "mark":
            found.extend(mark.get("items", []))
        for item in mark.get("items", []):
            if isinstance(item, dict):
                walk(item)

    walk(scene["scenegraph"])
    return found


def _labels_in_zone(spec: dict, zone: str) -> list[list[str]]:
    """The axis labels of ``spec`` as vl-convert draws them with the process in ``zone``."""
    if zone == "UTC" and os.environ.get("TZ") in (None, "", "UTC"):
        return _axis_labels(vlc.vegalite_to_scenegraph(json.dumps(spec)))
    code = ("import json, sys, vl_convert as v; "
            "print(json.dumps(v.vegalite_to_scenegraph(sys.stdin.read())))")
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(spec), text=True,
                         capture_output=True, check=True, env={**os.environ, "TZ": zone},
                         timeout=120)
    return _axis_labels(json.loads(out.stdout))


def _date_labels(labels: list[list[str]]) -> list[list[str]]:
    """The axes whose labels are dates (not numbers or percentages)."""
    return [axis for axis in labels if axis and any(ch.isalpha() for ch in axis[0])]


def _expected(starts: pd.Series, fmt: str) -> list[str]:
    return [pd.Timestamp(day).strftime(fmt) for day in period_ticks(starts)]


def test_period_ticks_are_the_data_starts_thinned() -> None:
    mondays = pd.Series(pd.date_range("2026-02-23", periods=28, freq="7D"))
    ticks = period_ticks(mondays)
    assert 2 <= len(ticks) <= 8
    assert ticks[0] == "2026-02-23"
    assert all(pd.Timestamp(day).dayofweek == 0 for day in ticks)
    assert period_ticks(mondays[:5]) == [d.strftime("%Y-%m-%d") for d in mondays[:5]]


@pytest.mark.parametrize("freq", ["week", "month"])
def test_trend_ticks_are_the_cohort_starts_in_every_zone(sample_dataset, freq: str) -> None:
    trend = conversion_trend(sample_dataset, freq=freq)
    if freq == "week":
        assert (trend["period_start"].dt.dayofweek == 0).all()
    spec = conversion_trend_chart(trend, "Awareness", "Advocacy", freq).to_dict()
    fmt = "%d %b %Y" if freq == "week" else "%b %Y"
    want = _expected(trend["period_start"], fmt)
    for zone in ZONES:
        dates = _date_labels(_labels_in_zone(spec, zone))
        assert dates, zone
        # Both charts (line above, bars below) share the axis of the cohort starts.
        assert all(axis == want for axis in dates), (zone, dates, want)


@pytest.mark.parametrize("freq", ["week", "month"])
def test_emotion_timeline_ticks_are_the_period_starts_in_every_zone(sample_dataset,
                                                                     freq: str) -> None:
    timeline = emotion_timeline(sample_dataset, freq)
    spec = emotion_timeline_chart(timeline, freq).to_dict()
    fmt = "%d %b %Y" if freq == "week" else "%b %Y"
    want = _expected(timeline["period_start"], fmt)
    if freq == "week":
        assert all(pd.Timestamp(d).dayofweek == 0 for d in period_ticks(timeline["period_start"]))
    for zone in ZONES:
        dates = _date_labels(_labels_in_zone(spec, zone))
        assert dates == [want], (zone, dates, want)


def _trend_frame() -> pd.DataFrame:
    starts = pd.Series(pd.date_range("2026-03-02", periods=6, freq="7D"))
    complete = [True, True, True, True, False, False]
    conversion = [0.30, 0.32, 0.31, 0.29, 0.10, 0.02]
    return pd.DataFrame({
        "period_start": starts, "period_end": starts + pd.Timedelta(days=7),
        "entered": [100] * 6, "converted": [round(c * 100) for c in conversion],
        "conversion": conversion, "complete": complete,
    })


def test_trend_line_joins_only_complete_cohorts_young_ones_hollow() -> None:
    frame = _trend_frame()
    scene = vlc.vegalite_to_scenegraph(
        json.dumps(conversion_trend_chart(frame, "A", "B").to_dict()))
    line = _marks(scene, "line")
    assert len(line) == int(frame["complete"].sum())
    # Points: one per cohort; the young ones white inside (hollow), the others filled.
    symbols = _marks(scene, "symbol")
    assert len(symbols) == len(frame)
    fills = sorted(str(s.get("fill")).upper() for s in symbols)
    assert fills.count("#FFFFFF") == int((~frame["complete"]).sum())
    # The line never reaches the young cohorts' low values.
    lowest = max(s["y"] for s in symbols)  # lowest point on screen: largest y
    assert all(item["y"] < lowest for item in line)


@pytest.mark.parametrize("lang", LANGS)
def test_trend_legend_and_subtitle_name_the_two_kinds(lang: str) -> None:
    with i18n.language(lang):
        spec = conversion_trend_chart(_trend_frame(), "A", "B").to_dict()
        complete = i18n.t("funnel.chart.cohort_complete")
        young = i18n.t("funnel.chart.cohort_young")
        subtitle = i18n.t("funnel.chart.trend_subtitle")
    text = json.dumps(spec, ensure_ascii=False)
    assert complete in text and young in text and subtitle in text
    assert complete != young
    scene = json.dumps(vlc.vegalite_to_scenegraph(json.dumps(spec)), ensure_ascii=False)
    assert young in scene and complete in scene  # drawn in the legend


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("lang", LANGS)
def test_no_window_note_only_without_a_window(lang: str) -> None:
    with i18n.language(lang):
        note = i18n.t("funnel.page.entry_same_without_window")
    at = open_page("funnel", lang=lang)
    assert widget(at.selectbox, "funnel_window").value == "none"
    assert note in _captions(at)
    widget(at.radio, "funnel_entry").set_value("first").run()
    assert not at.exception
    assert note in _captions(at)
    widget(at.selectbox, "funnel_window").set_value("7d").run()
    assert not at.exception
    assert note not in _captions(at)
    widget(at.selectbox, "funnel_window").set_value("none").run()
    assert note in _captions(at)
    # Strict order: a later run of stages can go further than the first, so no such note.
    widget(at.selectbox, "funnel_mode").set_value("strict").run()
    assert not at.exception
    assert note not in _captions(at)


@pytest.mark.parametrize("lang", LANGS)
def test_conversion_rule_box_does_not_repeat_the_sentence(lang: str) -> None:
    at = open_page(None, lang=lang)
    box = widget(at.selectbox, "data_conversion_rule")
    shown = list(box.options)  # as the page labels them
    with i18n.language(lang):
        sentence = i18n.t("data.conversion.rule.flag")
    assert sentence in _captions(at)
    assert len(shown) == len(set(shown)) >= 2
    for text in shown:
        assert sentence not in text, text
        assert "))" not in text and text.count("(") == text.count(")"), text
    assert box.value == "auto"
