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
    """The connections in the secrets that name a backend, by name (empty when none)."""
    try:
        entries = st.secrets.get("connections", {})
    except FileNotFoundError:  # no secrets.toml at all
        return {}
    out = {}
    for name, entry in dict(entries).items():
        entry = dict(entry)
        if "backend" not in entry:
            continue  # a connection for st.connection, not for this app
        stages = entry.get("stages")
        out[name] = Connection(
            name=name,
            backend=str(entry["backend"]),
            params={k: _plain(v) for k, v in entry.items() if k not in OWN_KEYS},
            table=entry.get("table"),
            mapping={str(k): str(v) for k, v in dict(entry.get("mapping") or {}).items()} or None,
            stages=list(stages) if isinstance(stages, list | tuple) else stages,
            purchase_stage=entry.get("purchase_stage"),
        )
    return out


def _plain(value: Any) -> Any:
    """Secrets sections (AttrDict) as plain dicts, for a backend's connect()."""
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    return value


def connect(conn: Connection):
    """The Ibis backend of ``conn``: ``getattr(ibis, backend).connect(**params)``; for pyspark
    a SparkSession built from ``master`` or ``remote``, ``app_name`` and ``config``. Raises
    DataError for an unknown backend, a missing driver, refused credentials or any other
    failure, naming the connection."""
    if conn.backend not in BACKENDS:
        raise jl.DataError(code="connections.unknown_backend", params={
            "name": conn.name, "backend": conn.backend, "backends": ", ".join(BACKENDS)})
    try:
        if conn.backend == "pyspark":
            return jl.connect(ibis.pyspark.connect(_spark_session(conn.params)))
        return jl.connect(getattr(ibis, conn.backend).connect(**conn.params))
    except (ImportError, AttributeError) as exc:
        raise jl.DataError(code="connections.missing_extra", params={
            "name": conn.name, "backend": conn.backend, "extra": EXTRAS[conn.backend]}) from exc
    except Exception as exc:  # the engine's own errors: which one is not known in advance
        raise problem(conn, exc) from exc


def problem(conn: Connection, exc: Exception) -> jl.DataError:
    """A DataError for a failure of ``conn``: refused credentials, or the engine's words."""
    text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    if any(word in text.lower() for word in _AUTH_WORDS):
        return jl.DataError(code="connections.auth",
                            params={"name": conn.name, "backend": conn.backend})
    return jl.DataError(code="connections.failed",
                        params={"name": conn.name, "backend": conn.backend, "error": text})


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
