"""Defects found by the review, in the app: the time-zone picker on an engine without zones and
after other data is opened; malformed connection entries; engine messages without secrets."""

from __future__ import annotations

import duckdb
import pytest

import journeylib as jl
from dashboard import session
from journeylib import timezones
from journeylib.i18n import t
from journeylib.text import escape_markdown
from tests.apptest import SAMPLE, new_app, open_page, widget

LANGS = ("en", "ru", "pl")
CSV = (
    b"customer,date,stage,channel\n"
    b"a,2026-03-01,Awareness,email\n"
    b"a,2026-03-05,Purchase,direct\n"
    b"b,2026-03-02,Awareness,search\n"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as raw:
        raw.execute(f"CREATE TABLE touchpoints AS SELECT * FROM read_csv('{SAMPLE}') LIMIT 500")
    return str(path)


def _texts(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
            for e in at.get(kind)]


def _open_connection(secrets: dict, lang: str = "en"):
    at = new_app(lang=lang)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.session_state["source"] = "connection"
    at.switch_page("app_pages/data.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", LANGS)
def test_an_engine_without_zones_keeps_utc_and_says_so(warehouse, monkeypatch, lang) -> None:
    """A browser in Warsaw on an engine with no known zone conversion: the Data page draws
    its over-time chart in UTC and the picker says the zone cannot be changed."""
    monkeypatch.setattr(timezones, "engine_name", lambda table: "sqlite")
    monkeypatch.setattr(session, "browser_zone", lambda: "Europe/Warsaw")
    secrets = {"connections": {"wh": {"backend": "duckdb", "database": warehouse,
                                      "read_only": True, "table": "touchpoints"}}}
    at = _open_connection(secrets, lang)
    assert not at.error, [e.value for e in at.error]
    assert t("timezone.fixed", lang, engine="sqlite") in _texts(at)
    assert not [s for s in at.selectbox if s.key == "data_timezone"]
    assert at.get("vega_lite_chart"), "the over-time chart is drawn (in UTC)"


def test_a_failing_over_time_chart_is_a_sentence(monkeypatch) -> None:
    from dashboard import data_panels
    from journeylib.errors import EngineError

    def fail(ds, *args):
        raise EngineError("sqlite", "TimeZoneConversion")

    monkeypatch.setattr(data_panels, "touchpoints_over_time", fail)
    at = open_page()
    section = t("app.section.over_time")
    assert any(section in e.value and "sqlite" in e.value for e in at.error), [
        e.value for e in at.error]


def test_the_picker_shows_the_default_after_another_file_is_uploaded() -> None:
    at = open_page()
    widget(at.selectbox, "data_timezone").set_value("Europe/Warsaw").run()
    assert at.session_state["timezone"] == "Europe/Warsaw"
    at.file_uploader[0].set_value(("other.csv", CSV, "text/csv")).run()
    assert not at.exception, at.exception
    assert "timezone" not in at.session_state
    assert widget(at.selectbox, "data_timezone").value == "auto"
    # And choosing again still works.
    widget(at.selectbox, "data_timezone").set_value("Asia/Tokyo").run()
    assert at.session_state["timezone"] == "Asia/Tokyo"
    assert widget(at.selectbox, "data_timezone").value == "Asia/Tokyo"


def test_the_picker_shows_the_workspace_zone_after_a_workspace_is_opened(tmp_path,
                                                                         monkeypatch) -> None:
    monkeypatch.setenv("JOURNEY_DATA_DIR", str(tmp_path))
    at = open_page()
    at.file_uploader[0].set_value(("march.csv", CSV, "text/csv")).run()
    name_box = next(box for box in at.text_input if box.label == "Workspace name")
    name_box.set_value("march")
    next(b for b in at.button if b.label == "Save workspace").click().run()
    assert not at.exception, at.exception
    widget(at.selectbox, "data_timezone").set_value("Europe/Warsaw").run()
    at.sidebar.radio(key="source").set_value("workspace").run()
    assert not at.exception, at.exception
    assert "timezone" not in at.session_state
    assert widget(at.selectbox, "data_timezone").value == "auto"


MALFORMED = {
    "foo": "bar",                                                   # not a table
    "m": {"backend": "duckdb", "table": "t", "mapping": "user_id"},  # mapping not a table
    "s": {"backend": "duckdb", "table": "t", "stages": 3},           # stages not a list
    "b": {"backend": ["duckdb"], "table": "t"},                      # backend not text
}


@pytest.mark.parametrize("lang", LANGS)
def test_malformed_connection_entries_are_named_and_skipped(warehouse, lang) -> None:
    good = {"backend": "duckdb", "database": warehouse, "read_only": True, "table": "touchpoints"}
    at = _open_connection({"connections": {**MALFORMED, "wh": good}}, lang)
    assert not at.error, [e.value for e in at.error]
    warnings = [w.value for w in at.warning]
    assert escape_markdown(t("connections.not_a_table", lang, name="foo")) in warnings
    for name, setting in (("m", "mapping"), ("s", "stages"), ("b", "backend")):
        expected = escape_markdown(t("connections.malformed", lang, name=name, setting=setting))
        assert warnings.count(expected) == 1, warnings
    # The good entry still works: the only connection offered, its table bound.
    assert at.selectbox(key="connection_name").options == ["wh"]
    assert at.get("vega_lite_chart")


def test_only_malformed_entries_break_no_page() -> None:
    at = new_app()
    at.secrets["connections"] = MALFORMED
    at.run()
    assert not at.exception, at.exception
    assert "connection" not in at.sidebar.radio(key="source").options
    assert escape_markdown(t("connections.not_a_table", name="foo")) in [
        w.value for w in at.warning]
    at.switch_page("app_pages/funnel.py").run()
    assert not at.exception, at.exception


def test_a_connections_value_that_is_not_a_section_breaks_no_page() -> None:
    at = new_app()
    at.secrets["connections"] = "oops"
    at.run()
    assert not at.exception, at.exception
    assert escape_markdown(t("connections.not_a_section")) in [w.value for w in at.warning]


class _Refusing:
    """A backend whose connect() fails quoting its DSN (as drivers do)."""

    @staticmethod
    def connect(**params):
        raise RuntimeError(
            f"could not reach postgresql://admin:{params['pass']}@{params['host']}:5432/sales "
            f"(sslkey=/etc/client.pem, secret={params['api']['secret']})")


class _Broken:
    """A backend whose connect() has a bug of its own."""

    @staticmethod
    def connect(**params):
        raise AttributeError("'NoneType' object has no attribute 'cursor'")


@pytest.mark.parametrize("lang", LANGS)
def test_an_engine_message_never_shows_the_secrets(monkeypatch, lang) -> None:
    import ibis

    monkeypatch.setitem(vars(ibis), "postgres", _Refusing)  # not imported
    entry = {"backend": "postgres", "table": "t", "host": "db.internal", "pass": "hunter2",
             "api": {"secret": "s3kr1t-v4lue"}}
    at = _open_connection({"connections": {"pg": entry}}, lang)
    shown = " ".join(_texts(at))
    assert "could not reach" in shown, shown
    for secret in ("hunter2", "s3kr1t-v4lue", "db.internal", "admin", "/etc/client.pem"):
        assert secret not in shown, (secret, shown)


def test_an_attribute_error_inside_a_backend_is_not_a_missing_driver(monkeypatch) -> None:
    import ibis

    from dashboard import connections

    monkeypatch.setitem(vars(ibis), "postgres", _Broken)
    conn = connections.Connection(name="pg", backend="postgres", params={"host": "h"})
    with pytest.raises(jl.DataError) as raised:
        connections.connect(conn)
    assert raised.value.code == "connections.failed"
    assert "cursor" in raised.value.params["error"]
    # A backend whose driver is not installed is still a missing driver.
    conn = connections.Connection(name="ch", backend="clickhouse", params={})
    with pytest.raises(jl.DataError) as raised:
        connections.connect(conn)
    assert raised.value.code == "connections.missing_extra"
