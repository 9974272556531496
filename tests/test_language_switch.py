"""Switching the interface language keeps the data source, the workspace and every widget's value.

A real browser remembers a selectbox's or radio's choice as the label it showed and sends that
label back on later runs until the server sets the value; AppTest instead re-labels every value
in the current language, which hides the bug where a language switch emptied the data-source
radio (the next page then showed the sample) and passed "Automatic" to a callback as a code.
The ``browser`` fixture makes AppTest send what a browser sends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import element_tree as et

import journeylib as jl
from journeylib import conversion, i18n, workspace
from journeylib.dataset import STAGE_MODELS
from journeylib.load import REJECTION_REASONS
from journeylib.messages import Message
from tests.apptest import APP

PAGES = ("data", "funnel", "journeys", "attribution", "emotions", "journey_map", "touchpoints")
# Seven customers (the sample has 5,000): the sidebar's customer count tells the data source.
CUSTOMERS = 7
UPLOAD = "march.csv"


def _csv() -> bytes:
    lines = ["customer,date,stage,channel,touchpoint,emotion,converted,revenue,segment"]
    stages = (("Awareness", "search", "Ad"), ("Consideration", "email", "Newsletter"),
              ("Purchase", "web", "Checkout"), ("Retention", "email", "Survey"))
    start = dt.datetime(2026, 3, 2, 9)
    for c in range(CUSTOMERS):
        for i, (stage, channel, touchpoint) in enumerate(stages[: 2 + c % 3]):
            when = start + dt.timedelta(days=c, hours=5 * i)
            bought = stage == "Purchase"
            lines.append(
                f"c{c},{when:%Y-%m-%d %H:%M},{stage},{channel},{touchpoint},{1 + (c + i) % 5},"
                f"{int(bought)},{'49.5' if bought else ''},{'B2B' if c % 2 else 'B2C'}"
            )
    return ("\n".join(lines) + "\n").encode()


class StaleLabels:
    """The labels a browser sends for selectboxes and radios (see the module docstring).

    A widget the browser has not seen before sends the label of its value in that run's
    language; one the user changes sends the label picked; one whose value the server set sends
    the server's label. Otherwise the remembered label is sent again, whatever the language.
    """

    def __init__(self) -> None:
        self.shown: dict[str, str | list[str]] = {}

    def states(self, tree: et.ElementTree, original) -> et.WidgetStates:
        states = original(tree)
        nodes = {n.id: n for n in tree if isinstance(n, et.Selectbox | et.Radio | et.Multiselect)}
        self.shown = {k: v for k, v in self.shown.items() if k in nodes}
        for state in states.widgets:
            node = nodes.get(state.id)
            if node is None:
                continue
            many = isinstance(node, et.Multiselect)
            if not state.HasField("string_array_value" if many else "string_value"):
                continue
            sent = list(state.string_array_value.data) if many else state.string_value
            picked = not isinstance(node._value, et.InitialValue)
            if node.proto.set_value and not picked:
                server = node.proto.raw_values if many else node.proto.raw_value
                self.shown[state.id] = list(server) if many else server
            elif picked or state.id not in self.shown:
                self.shown[state.id] = sent
            if many:
                del state.string_array_value.data[:]
                state.string_array_value.data.extend(self.shown[state.id])
            else:
                state.string_value = self.shown[state.id]
        return states


@pytest.fixture
def browser(monkeypatch) -> StaleLabels:
    labels = StaleLabels()
    original = et.ElementTree.get_widget_states
    monkeypatch.setattr(
        et.ElementTree, "get_widget_states", lambda tree: labels.states(tree, original)
    )
    return labels


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("JOURNEY_DATA_DIR", str(tmp_path))
    return tmp_path


def _fresh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def _with_upload() -> AppTest:
    at = _fresh()
    at.file_uploader[0].set_value((UPLOAD, _csv(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def _with_workspace(data_dir: Path) -> AppTest:
    from journeylib.load import load

    workspace.save_workspace(load(_csv()), "Shop march", directory=data_dir)
    at = _fresh()
    at.radio(key="source").set_value("workspace").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="workspace_name").value == "Shop march"
    return at


def _choice_values(at: AppTest) -> dict[str, object]:
    return {w.key: w.value for w in [*at.selectbox, *at.radio] if w.key}


def _check(at: AppTest, source: str, when: str) -> None:
    assert not at.exception, (when, at.exception)
    assert not at.error, (when, [e.value for e in at.error])
    assert at.session_state["source"] == source, when
    assert at.radio(key="source").value == source, when
    customers = at.sidebar.metric[1].value
    assert customers == str(CUSTOMERS), (when, "sidebar shows", customers)
    for widget in [*at.selectbox, *at.radio]:
        assert widget.value is not None, (when, widget.key, widget.label)
        assert widget.index is not None, (when, widget.key, widget.value, widget.options)
    for box in at.multiselect:
        assert len(box.indices) == len(box.value), (when, box.key, box.value, box.options)


def _switch_languages(at: AppTest, page: str, source: str) -> None:
    at.switch_page(f"app_pages/{page}.py").run()
    _check(at, source, f"{page} en")
    before = _choice_values(at)
    for lang in ("ru", "pl"):
        at.selectbox(key="lang").set_value(lang).run()
        _check(at, source, f"{page} {lang}")
        # Another run (a click, or the next page) sends the labels the browser now holds.
        at.run()
        _check(at, source, f"{page} {lang} next run")
        after = _choice_values(at)
        kept = {k: v for k, v in after.items() if k != "lang" and k in before}
        assert kept == {k: before[k] for k in kept}, (page, lang)
    at.switch_page("app_pages/data.py").run()
    _check(at, source, f"{page}: to the Data page")
    at.selectbox(key="lang").set_value("en").run()


@pytest.mark.parametrize("page", PAGES)
def test_language_switch_keeps_an_upload(browser: StaleLabels, page: str) -> None:
    _switch_languages(_with_upload(), page, "upload")


@pytest.mark.parametrize("page", PAGES)
def test_language_switch_keeps_a_workspace(
    browser: StaleLabels, data_dir: Path, page: str
) -> None:
    at = _with_workspace(data_dir)
    _switch_languages(at, page, "workspace")
    assert at.selectbox(key="workspace_name").value == "Shop march"


def test_upload_after_switching_language_on_the_data_page(browser: StaleLabels) -> None:
    """The reported case: English, switch to Russian on the Data page, upload a file."""
    at = _fresh()
    at.selectbox(key="lang").set_value("ru").run()
    assert not at.exception
    at.file_uploader[0].set_value((UPLOAD, _csv(), "text/csv")).run()
    _check(at, "upload", "upload in ru")
    at.run()
    _check(at, "upload", "next run")


# ----------------------------------------------------------------- the library holds no words

# Every kind of note, warning and rejection: a duplicate column, a row wider than the header, no
# customer id, no timestamp, an unreadable timestamp, ambiguous dd/mm dates, a flag that is not
# yes/no, revenue that is not a number, emotion labels nobody knows, a touchpoint without stage.
WORDY = (
    b"customer,date,touchpoint,converted,revenue,emotion,emotion\n"
    b"a,01.03.2026,Ad,1,10,happy,x\n"
    b"a,02.03.2026,Checkout,maybe,lots,meh,x\n"
    b",03.03.2026,Ad,0,,sad,x\n"
    b"b,,Ad,0,,joy,x\n"
    b"c,yesterday,Ad,0,,bof,x\n"
    b"d,04.03.2026,Hotline,0,,angry,x,EXTRA\n"
    b"d,05.03.2026,Hotline,0,,angry,x\n"
)
STAGES = {"Ad": "Awareness", "Checkout": "Purchase"}


def _messages(value):
    if isinstance(value, Message):
        yield value
        for param in value.params.values():
            yield from _messages(param)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _messages(item)


def test_load_is_the_same_in_every_language_and_holds_codes_not_sentences() -> None:
    loaded = {}
    for lang in i18n.LANGUAGES:
        with i18n.language(lang):
            loaded[lang] = jl.load(WORDY, touchpoint_stages=STAGES)
    en = loaded["en"]
    for lang, ds in loaded.items():
        assert ds.report == en.report, lang
        assert ds.rejected.equals(en.rejected), lang
        assert (ds.stages, ds.stage_model, ds.stage_preset, ds.name) == (
            en.stages, en.stage_model, en.stage_preset, en.name), lang
        assert ds.table.to_pandas().equals(en.table.to_pandas()), lang

    report = en.report
    notes = [*report.notes, *report.warnings, *report.timestamp_notes, *report.emotion_notes]
    codes = {m.code for m in _messages(notes)}
    assert {"load.dates.ambiguous", "read.duplicate_column", "load.warning.not_flags",
            "load.warning.not_numbers", "load.emotion.unknown",
            "load.warning.touchpoint_without_stage"} <= codes
    for code in codes:
        assert re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)+", code), code
        for lang in i18n.LANGUAGES:
            assert code in i18n.catalogue(lang), (lang, code)
    reasons = set(";".join(en.rejected["reason"]).split(";"))
    assert reasons == set(REJECTION_REASONS)
    assert en.stage_model in STAGE_MODELS

    # No sentence of any language is anywhere in what was loaded.
    dump = json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False)
    dump += en.rejected.to_csv()
    for lang in i18n.LANGUAGES:
        for key, entry in i18n.catalogue(lang).items():
            for text in entry.values() if isinstance(entry, dict) else [entry]:
                words = re.sub(r"\{[^}]*\}", "\x00", text).split("\x00")
                for part in words:
                    assert len(part) < 12 or part not in dump, (lang, key, part)

    # The app words the same report in each language.
    worded = {lang: [i18n.say(m, lang) for m in report.warnings] for lang in i18n.LANGUAGES}
    assert len({tuple(w) for w in worded.values()}) == 3
    assert any("'Hotline'" in w for w in worded["en"])
    assert any("«Hotline»" in w for w in worded["ru"])


def test_readings_and_filters_are_messages() -> None:
    ds = jl.load("sample_data/journeys.csv")
    first, last = ds.stages[0], ds.stages[2]
    timing = conversion.time_to_convert(ds, first, last)
    reading = conversion.describe_time_to_convert(timing, first, last)
    trend = conversion.describe_trend(conversion.conversion_trend(ds, [first, last]), first, last)
    chosen = jl.Filters(start=dt.date(2026, 3, 1), channels=("email",))
    filtered = jl.apply_filters(ds, chosen)
    assert filtered.filters == chosen and ds.filters is None
    for message in [reading, *trend, *jl.describe_filters(filtered.filters)]:
        assert isinstance(message, Message)
    texts = {lang: (i18n.say(reading, lang), i18n.say(trend, lang),
                    i18n.filters_text(filtered.filters, lang)) for lang in i18n.LANGUAGES}
    assert len(set(texts.values())) == 3
    assert texts["en"][2].endswith("channel: email")


def test_a_workspace_keeps_messages_and_reads_old_sentences(tmp_path: Path) -> None:
    ds = jl.load(WORDY, touchpoint_stages=STAGES, stages="Awareness → Advocacy")
    workspace.save_workspace(ds, "wordy", directory=tmp_path)
    back = workspace.open_workspace("wordy", directory=tmp_path).dataset
    assert back.report == ds.report
    assert (back.stage_model, back.stage_preset) == ("preset", "Awareness → Advocacy")
    old = jl.LoadReport.from_saved({"notes": ["Dates read as day/month/year."], "n_rows": 3,
                                    "timestamp_description": "ISO (3 rows)"})
    assert i18n.say(old.notes, "ru") == "Dates read as day/month/year."
    legacy = dataclasses.replace(ds, stage_model="preset Awareness → Advocacy", stage_preset=None)
    assert (legacy.stage_model, legacy.stage_preset) == ("preset", "Awareness → Advocacy")
    assert dataclasses.replace(ds, stage_model="inferred from the data").stage_model == "inferred"
