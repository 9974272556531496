"""The Funnel page's new parts (bins, step pair of the trend, Correlation tab) and the Data page's
time-zone picker, in English, Russian and Polish."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from apptest import chart_titles, open_page, widget

FUNNEL = "app_pages/funnel.py"
NOT_CAUSE = {
    "en": "This shows association, not cause",
    "ru": "Это связь, а не причина",
    "pl": "To związek, nie przyczyna",
}
TAB = {"en": "Correlation", "ru": "Корреляция", "pl": "Korelacja"}
CHART = {"en": "What goes with converting", "ru": "Что сопутствует конверсии",
         "pl": "Co towarzyszy konwersji"}


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def _chart(at, title: str):
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        parts = [spec, *spec.get("layer", []), *spec.get("vconcat", [])]
        if any(isinstance(p.get("title"), dict) and p["title"]["text"] == title for p in parts):
            return chart
    raise AssertionError(f"no chart titled {title!r}")


def _values(chart, column: str) -> list:
    """A column of the chart's data (Streamlit sends it as an Arrow table)."""
    frame = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_pandas()
    return frame[column].tolist()


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_correlation_tab(lang) -> None:
    at = open_page("funnel", lang=lang, no_errors=True)
    assert at.tabs[-1].label == TAB[lang]
    assert CHART[lang] in chart_titles(at)
    assert NOT_CAUSE[lang] in _captions(at)
    table = next(d.value for d in at.dataframe if "odds_ratio" in d.value.columns)
    assert len(table) > 0
    # Odds ratios with their interval, in the language's decimals: "2,31 (1,80–2,96)".
    mark = "." if lang == "en" else ","
    assert table["odds_ratio"].str.fullmatch(
        rf"\d+\{mark}\d\d \(\d+\{mark}\d\d[–…]\d+\{mark}\d\d\)").all()
    # Codes were turned into words of the language.
    assert not set(table["direction"]) & {"over", "under"}


def test_bins_auto_and_chosen() -> None:
    at = open_page("funnel", no_errors=True)
    bins = widget(at.radio, "ttc_bins")
    assert bins.value == "standard"
    assert bins.options == ["Standard", "From the data's spread", "Chosen"]
    bins.set_value("auto").run()
    assert not at.exception
    assert "Bins: " in _captions(at)
    labels = _values(_chart(at, "Time from Consideration to Purchase"), "bin_label")
    assert labels[0].startswith("< ") and labels[-1].startswith("≥ ")
    widget(at.radio, "ttc_bins").set_value("custom").run()
    widget(at.multiselect, "ttc_edges").set_value([1.0, 24.0]).run()
    assert not at.exception
    labels = _values(_chart(at, "Time from Consideration to Purchase"), "bin_label")
    assert labels == ["< 1.0 hour", "1.0 hour – 24.0 hours", "≥ 24.0 hours"]


def test_bins_in_russian_keep_the_choice() -> None:
    at = open_page("funnel", lang="ru", no_errors=True)
    widget(at.radio, "ttc_bins").set_value("custom").run()
    edges = widget(at.multiselect, "ttc_edges")
    assert "1,0 часа" in edges.options
    labels = _values(_chart(at, "Время от «Consideration» до «Purchase»"), "bin_label")
    assert labels[0] == "< 1,0 часа"


def test_trend_for_a_pair_of_steps() -> None:
    at = open_page("funnel", no_errors=True)
    start = widget(at.selectbox, "trend_from")
    assert start.options[:2] == ["1. Awareness", "2. Consideration"]
    start.set_value(2).run()
    widget(at.selectbox, "trend_to").set_value(3).run()
    assert not at.exception
    assert "Conversion from Consideration to Purchase by entry week" in chart_titles(at)
    assert "Weeks and months in the UTC time zone" in _captions(at)


@pytest.mark.parametrize(("lang", "auto", "in_force", "caption"), [
    ("en", "Automatic", "Calendar periods in UTC (the file names no time zone).",
     "in the Europe/Warsaw time zone"),
    ("ru", "Автоматически", "в часовом поясе UTC (в файле часовой пояс не указан)",
     "в часовом поясе Europe/Warsaw"),
    ("pl", "Automatycznie", "w strefie UTC (plik nie podaje strefy czasowej)",
     "w strefie czasowej Europe/Warsaw"),
])
def test_time_zone_chosen_on_the_data_page_reaches_the_funnel(lang, auto, in_force,
                                                              caption) -> None:
    at = open_page(lang=lang, no_errors=True)
    picker = widget(at.selectbox, "data_timezone")
    assert picker.value == "auto"
    assert picker.options[0] == auto
    assert "Europe/Warsaw" in picker.options
    assert in_force in _captions(at)
    picker.set_value("Europe/Warsaw").run()
    assert at.session_state["timezone"] == "Europe/Warsaw"
    assert "Europe/Warsaw" in _captions(at)
    at.switch_page(FUNNEL).run()
    assert not at.exception
    assert caption in _captions(at)
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    trend = next(spec for spec in specs if "vconcat" in spec)  # the only stacked chart
    top = trend["vconcat"][0]  # a layer since the line joins only complete cohorts
    x_titles = [part["encoding"]["x"].get("title", "") for part in top.get("layer", [top])
                if "x" in part.get("encoding", {})]
    assert x_titles and all(title.endswith("(Europe/Warsaw)") for title in x_titles)
    # Back to the default.
    at.switch_page("app_pages/data.py").run()
    widget(at.selectbox, "data_timezone").set_value("auto").run()
    assert "timezone" not in at.session_state


def test_a_zone_the_server_does_not_know_falls_back_to_the_default() -> None:
    """A stale or forged choice (e.g. an old label sent back by the browser) never reaches the
    engine: the page shows the data's own zone instead of an error."""
    at = open_page(no_errors=True)
    at.session_state["timezone"] = "UTC (the file names no time zone)"
    at.switch_page(FUNNEL).run()
    assert not at.exception and not at.error
    assert "Weeks and months in the UTC time zone" in _captions(at)
