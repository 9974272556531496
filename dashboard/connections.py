"""Tables from configured connections: ``[connections.<name>]`` in ``.streamlit/secrets.toml``.

Each connection names an Ibis backend and its parameters, the table to open and optionally a
mapping and stage model::

    [connections.lake]
    backend = "pyspark"            # duckdb | pyspark | bigquery | snowflake | trino | ...
    master = "local[2]"            # pyspark: master or remote (Spark Connect), app_name, config
    table = "touchpoints"
    mapping = { customer_id = "user_id", timestamp = "event_time" }

The engine connection is cached for the server (``st.cache_resource``; DuckDB's, which is not
thread-safe, for the browser session), and so is the bound dataset per connection, table and
choices: a Spark query costs seconds, so a page run must not bind again. Problems are
:class:`journeylib.DataError` sentences in the interface language naming the connection.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import streamlit as st

import journeylib as jl
from journeylib.i18n import t

BACKENDS = ("duckdb", "pyspark", "bigquery", "snowflake", "trino", "clickhouse", "postgres")
# What to install for a backend whose driver is missing.
EXTRAS = {
    "duckdb": "ibis-framework[duckdb]",
    "pyspark": "-r requirements-spark.txt",
    "bigquery": "ibis-framework[bigquery]",
    "snowflake": "ibis-framework[snowflake]",
    "trino": "ibis-framework[trino]",
    "clickhouse": "ibis-framework[clickhouse]",
    "postgres": "ibis-framework[postgres]",
}
# Settings of a connection that are not the backend's connect() parameters.
OWN_KEYS = ("backend", "table", "mapping", "stages", "purchase_stage")
# Words in an engine's error that say the credentials were refused.
_AUTH_WORDS = ("auth", "password", "credential", "permission", "denied", "forbidden",
               "unauthorized", "401", "403", "login", "token")
# URL user-info (``//user:password@host``) and secret-like settings (``password=...``,
# ``api_key: ...``, quoted or not) in an engine's message.
_USER_INFO = re.compile(r"//[^\s/@:]*(?::[^\s@]*)?@")
_SECRET_SETTING = re.compile(
    r"(?i)(\b\w*(?:token|password|passwd|pwd|key|secret)\w*)(\s*[=:]\s*)"
    r"(?:'[^']*'|\"[^\"]*\"|[^\s&;,'\")]+)")
_log = logging.getLogger(__name__)
SESSION_NAME = "connection_name"
SESSION_TABLE = "connection_table"


@dataclass(frozen=True)
class Connection:
    """One ``[connections.<name>]`` entry: ``backend``, its ``params``, the ``table`` to open
    (None: choose one), ``mapping``, ``stages`` and ``purchase_stage`` for the binding."""

    name: str
    backend: str
    params: dict[str, Any]
    table: str | None = None
    mapping: dict[str, str] | None = None
    stages: str | list[str] | None = None
    purchase_stage: str | None = None

    def params_key(self) -> str:
        """The parameters as one string, so a change in the secrets connects again."""
        return json.dumps(self.params, sort_keys=True, default=str)


def configured() -> dict[str, Connection]:
    """The well-formed connections in the secrets that name a backend, by name (empty when
    none). Malformed entries are left out; :func:`malformed` says what is wrong with them."""
    return _read_secrets()[0]


def malformed() -> list[jl.DataError]:
    """One DataError per malformed ``[connections]`` entry (code ``connections.malformed``
    with ``name`` and ``setting``, or ``connections.not_a_table`` with ``name``; or
    ``connections.not_a_section`` when ``connections`` itself is not a section), for the Data
    page; empty when every entry can be used."""
    return _read_secrets()[1]


def _read_secrets() -> tuple[dict[str, Connection], list[jl.DataError]]:
    try:
        entries = st.secrets.get("connections", {})
    except FileNotFoundError:  # no secrets.toml at all
        return {}, []
    if not hasattr(entries, "items"):  # connections = "..." instead of a section
        return {}, [jl.DataError(code="connections.not_a_section")]
    return read_entries(entries)


def read_entries(entries: Mapping[str, Any]) -> tuple[dict[str, Connection], list[jl.DataError]]:
    """The ``[connections]`` section's entries as connections, by name, and one DataError per
    entry that cannot be used (skipped): not a table (``connections.not_a_table``), or a setting
    of the wrong type (``connections.malformed``: ``backend``, ``table``, ``purchase_stage``
    text; ``mapping`` a table of text; ``stages`` a preset name or a list of stage names).
    Entries without ``backend`` are for ``st.connection``, not this app: neither."""
    out: dict[str, Connection] = {}
    bad: list[jl.DataError] = []
    for name, entry in entries.items():
        name = str(name)
        if not hasattr(entry, "items"):
            bad.append(jl.DataError(code="connections.not_a_table", params={"name": name}))
            continue
        entry = _plain(entry)
        if "backend" not in entry:
            continue  # a connection for st.connection, not for this app
        setting = _wrong_setting(entry)
        if setting is not None:
            bad.append(jl.DataError(code="connections.malformed",
                                    params={"name": name, "setting": setting}))
            continue
        stages = entry.get("stages")
        mapping = entry.get("mapping") or {}
        out[name] = Connection(
            name=name,
            backend=entry["backend"],
            params={k: v for k, v in entry.items() if k not in OWN_KEYS},
            table=entry.get("table"),
            mapping={str(k): v for k, v in mapping.items()} or None,
            stages=list(stages) if isinstance(stages, list | tuple) else stages,
            purchase_stage=entry.get("purchase_stage"),
        )
    return out, bad


def _wrong_setting(entry: dict[str, Any]) -> str | None:
    """The first of the app's own settings of ``entry`` whose type is wrong; None when none."""
    if not isinstance(entry["backend"], str):
        return "backend"
    for key in ("table", "purchase_stage"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            return key
    mapping = entry.get("mapping")
    if mapping is not None and not (
            isinstance(mapping, dict) and all(isinstance(v, str) for v in mapping.values())):
        return "mapping"
    stages = entry.get("stages")
    if stages is not None and not (
            isinstance(stages, str)
            or (isinstance(stages, list | tuple) and all(isinstance(v, str) for v in stages))):
        return "stages"
    return None


def _plain(value: Any) -> Any:
    """Secrets sections (AttrDict) as plain dicts (and arrays as lists), for a backend's
    connect()."""
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def connect(conn: Connection):
    """The Ibis backend of ``conn``: ``getattr(ibis, backend).connect(**params)``; for pyspark
    a SparkSession built from ``master`` or ``remote``, ``app_name`` and ``config``. Raises
    DataError for an unknown backend, a missing driver, refused credentials or any other
    failure, naming the connection."""
    if conn.backend not in BACKENDS:
        raise jl.DataError(code="connections.unknown_backend", params={
            "name": conn.name, "backend": conn.backend, "backends": ", ".join(BACKENDS)})
    missing = jl.DataError(code="connections.missing_extra", params={
        "name": conn.name, "backend": conn.backend, "extra": EXTRAS[conn.backend]})
    try:
        # Ibis loads a backend on first use: a missing driver fails here, as an ImportError or
        # (no such backend registered) an AttributeError of ``ibis`` itself.
        module = getattr(ibis, conn.backend)
    except (ImportError, AttributeError) as exc:
        raise missing from exc
    try:
        if conn.backend == "pyspark":
            return jl.connect(module.connect(_spark_session(conn.params)))
        return jl.connect(module.connect(**conn.params))
    except ImportError as exc:  # a driver module imported on connecting
        raise missing from exc
    except Exception as exc:  # the engine's own errors (an AttributeError in it too)
        raise problem(conn, exc) from exc


def problem(conn: Connection, exc: Exception) -> jl.DataError:
    """A DataError for a failure of ``conn``: refused credentials, or the engine's words with
    every secret taken out (:func:`redact`). The engine's full text is logged for the operator
    only."""
    _log.log(logging.WARNING, "connection %r (%s) failed: %s", conn.name, conn.backend, exc)
    full = redact(str(exc), conn.params)
    text = full.splitlines()[0][:300] if full.strip() else type(exc).__name__
    if any(word in text.lower() for word in _AUTH_WORDS):
        return jl.DataError(code="connections.auth",
                            params={"name": conn.name, "backend": conn.backend})
    return jl.DataError(code="connections.failed",
                        params={"name": conn.name, "backend": conn.backend, "error": text})


def redact(text: str, params: Mapping[str, Any]) -> str:
    """``text`` (an engine's message) with every string value of ``params`` (nested tables and
    lists included) replaced by ``***``, and URL user-info (``//user:pass@``) and
    ``token=``/``password=``/``key=``/``secret=``-like fragments (any name containing those
    words) masked, so no secret of the connection reaches a user."""
    for value in sorted(set(_strings(params)), key=len, reverse=True):
        text = text.replace(value, "***")
    text = _USER_INFO.sub("//***@", text)
    return _SECRET_SETTING.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def _strings(value: Any) -> list[str]:
    """Every non-empty string inside ``value`` (mappings and lists walked)."""
    if isinstance(value, str):
        return [value] if value else []
    if hasattr(value, "items"):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple | set):
        return [s for v in value for s in _strings(v)]
    return []


def _spark_session(params: dict[str, Any]):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    if params.get("remote"):
        builder = builder.remote(params["remote"])
    else:
        builder = builder.master(params.get("master", "local[2]"))
    builder = builder.appName(params.get("app_name", "journey-dashboard"))
    for key, value in dict(params.get("config") or {}).items():
        builder = builder.config(key, str(value))
    return builder.getOrCreate()


@st.cache_resource(show_spinner=False)
def _shared_backend(name: str, params_key: str):
    return connect(configured()[name])


@st.cache_resource(show_spinner=False, scope="session")
def _session_backend(name: str, params_key: str):
    return connect(configured()[name])


def backend(conn: Connection):
    """The cached backend of ``conn`` (one for the server; DuckDB's one per browser session)."""
    cached = _session_backend if conn.backend == "duckdb" else _shared_backend
    return cached(conn.name, conn.params_key())


def tables(conn: Connection) -> list[str]:
    """The tables the connection lists, the configured one first (cached with the binding)."""
    return _tables(conn.name, conn.params_key())


@st.cache_data(show_spinner=False, ttl=600)
def _tables(name: str, params_key: str) -> list[str]:
    conn = configured()[name]
    try:
        listed = list(backend(conn).list_tables())
    except jl.DataError:
        raise
    except Exception as exc:  # the engine's own errors
        raise problem(conn, exc) from exc
    first = [conn.table] if conn.table else []
    # Ibis's own temporary views (small lookup tables of a binding) are not the user's tables.
    return first + sorted(n for n in listed if n != conn.table and not n.startswith("ibis_"))


def _bind(conn: Connection, table: str) -> jl.Dataset:
    con = backend(conn)
    try:
        source = con.table(table)
    except Exception as exc:  # the engine's "no such table", in its own words
        raise jl.DataError(code="connections.missing_table",
                           params={"name": conn.name, "table": table}) from exc
    try:
        return jl.Dataset.from_table(source, mapping=conn.mapping, stages=conn.stages,
                                     purchase_stage=conn.purchase_stage, name=table)
    except jl.DataError:
        raise
    except Exception as exc:  # the engine failed while checking the rows
        raise problem(conn, exc) from exc


@st.cache_resource(show_spinner=False, max_entries=8)
def _shared_dataset(name: str, params_key: str, table: str) -> jl.Dataset:
    return _bind(configured()[name], table)


@st.cache_resource(show_spinner=False, max_entries=4, scope="session")
def _session_dataset(name: str, params_key: str, table: str) -> jl.Dataset:
    return _bind(configured()[name], table)


def chosen() -> tuple[Connection, str | None]:
    """The connection and table chosen on the Data page (the first connection and its
    configured table by default)."""
    found = configured()
    name = st.session_state.get(SESSION_NAME)
    conn = found[name] if name in found else next(iter(found.values()))
    table = st.session_state.get(SESSION_TABLE) or conn.table
    return conn, table


def active_dataset() -> jl.Dataset | None:
    """The dataset bound from the chosen connection and table, with a progress box while the
    engine checks the rows (only the first time: then it is cached). None when no table is
    chosen yet; raises DataError with a sentence naming the connection."""
    if not configured():
        return None
    conn, table = chosen()
    if not table:
        return None
    cached = _session_dataset if conn.backend == "duckdb" else _shared_dataset
    key = (conn.name, conn.params_key(), table)
    seen = st.session_state.setdefault("_connection_bound", set())
    if key in seen:  # bound before: from the cache, without a progress box
        return cached(*key)
    with st.status(t("connections.binding", name=conn.name, table=table)) as box:
        try:
            dataset = cached(*key)
        except jl.DataError:
            box.update(state="error", expanded=False)
            raise
        box.update(label=t("connections.bound", name=conn.name, table=table,
                           touchpoints=t("data.n_touchpoints", n=dataset.n_rows)),
                   state="complete", expanded=False)
    seen.add(key)
    return dataset
