"""The app on a table of a configured connection (a DuckDB file as the warehouse), in every
interface language: binding with progress, the Data page and an analysis page, errors as
sentences naming the connection, and nothing bound twice."""

from __future__ import annotations

import duckdb
import pytest

from dashboard import connections
from journeylib.i18n import t
from journeylib.text import escape_markdown
from tests.apptest import SAMPLE, new_app

LANGS = ("en", "ru", "pl")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as raw:
        raw.execute(f"CREATE TABLE touchpoints AS SELECT * FROM read_csv('{SAMPLE}') LIMIT 3000")
        raw.execute("CREATE TABLE other AS SELECT 1 AS x")
    return str(path)


def _secrets(warehouse: str, **entry) -> dict:
    wh = {"backend": "duckdb", "database": warehouse, "read_only": True,
          "table": "touchpoints", **entry}
    return {"connections": {"wh": wh, "streamlit_own": {"url": "sqlite://"}}}


def _open(secrets: dict, page: str = "data", lang: str = "en"):
    at = new_app(lang=lang)
    for key, value in secrets.items():
        at.secrets[key] = value
    at.session_state["source"] = "connection"
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
            for e in at.get(kind)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_data_page_binds_the_configured_table(warehouse, lang):
    at = _open(_secrets(warehouse), lang=lang)
    assert not at.error, [e.value for e in at.error]
    source = at.sidebar.radio(key="source")
    assert "connection" in source.options or t("sidebar.sources.connection", lang) in (
        source.options)
    assert at.selectbox(key=connections.SESSION_NAME).value == "wh"  # st.connection's ignored
    assert at.selectbox(key=connections.SESSION_NAME).options == ["wh"]
    assert at.selectbox(key=connections.SESSION_TABLE).options == ["touchpoints", "other"]
    assert at.get("status"), "binding shows its progress"
    touchpoints = t("data.n_touchpoints", lang, n=3000)
    assert t("connections.bound", lang, name="wh", table="touchpoints",
             touchpoints=touchpoints) in [s.proto.label for s in at.get("status")]
    assert any(t("data.quality.touchpoints", lang) == m.label for m in at.metric)


def test_an_analysis_page_reads_the_bound_table(warehouse):
    at = _open(_secrets(warehouse), page="funnel")
    assert not at.error, [e.value for e in at.error]
    assert at.get("vega_lite_chart")


def test_a_rerun_binds_nothing_again(warehouse, monkeypatch):
    at = _open(_secrets(warehouse))
    calls = []
    import journeylib.warehouse as wh_module

    original = wh_module.from_table
    monkeypatch.setattr(wh_module, "from_table", lambda *a, **k: calls.append(1) or original(
        *a, **k))
    at.run()
    assert not at.exception
    assert calls == [] and not at.get("status")


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_table_is_named(warehouse, lang):
    at = _open(_secrets(warehouse, table="nowhere"), lang=lang)
    at.selectbox(key=connections.SESSION_TABLE)  # the table list is still offered
    expected = escape_markdown(t("connections.missing_table", lang, name="wh", table="nowhere"))
    assert any(expected in text for text in _texts(at)), _texts(at)


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_driver_says_what_to_install(lang):
    at = _open({"connections": {"ch": {"backend": "clickhouse", "host": "localhost",
                                       "table": "events"}}}, lang=lang)
    expected = escape_markdown(t("connections.missing_extra", lang, name="ch",
                                 backend="clickhouse", extra="ibis-framework[clickhouse]"))
    assert any(expected in text for text in _texts(at)), _texts(at)
    assert not any("UTF-8" in text for text in _texts(at))  # no file behind a connection


@pytest.mark.parametrize("lang", LANGS)
def test_an_unknown_backend_is_named(lang):
    at = _open({"connections": {"x": {"backend": "oracle", "table": "t"}}}, lang=lang)
    assert any("oracle" in text and "x" in text for text in _texts(at)), _texts(at)


def test_refused_credentials_are_told_apart():
    conn = connections.Connection(name="dwh", backend="postgres", params={})
    refused = connections.problem(conn, RuntimeError('FATAL: password authentication failed'))
    assert refused.code == "connections.auth"
    other = connections.problem(conn, RuntimeError("could not reach host db.example"))
    assert other.code == "connections.failed" and "db.example" in other.words("pl")


def test_without_connections_there_is_no_such_source():
    at = new_app()
    at.run()
    assert not at.exception
    assert "connection" not in at.sidebar.radio(key="source").options
