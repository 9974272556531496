"""Switching the interface language keeps the data source, the workspace and every widget's value.

A real browser remembers a selectbox's or radio's choice as the label it showed and sends that
label back on later runs until the server sets the value; AppTest instead re-labels every value
in the current language, which hides the bug where a language switch emptied the data-source
radio (the next page then showed the sample) and passed "Automatic" to a callback as a code.
The ``browser`` fixture makes AppTest send what a browser sends.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import element_tree as et

from journeylib import workspace
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
