"""DuckDB's resource settings, from environment variables, for every DuckDB this library opens
(the engine's connection and the one that reads files).

``JOURNEY_DUCKDB_MEMORY``: the memory DuckDB may use (``memory_limit``, e.g. ``4GB``; DuckDB's
default is 80% of the machine's memory). ``JOURNEY_DUCKDB_THREADS``: worker threads
(``threads``; default: one per core). ``JOURNEY_DUCKDB_TEMP_DIR``: the folder DuckDB spills to
when a query needs more than its memory limit (``temp_directory``; default: DuckDB's own, a
``.tmp`` folder beside a database file, none for an in-memory database until one is set).
With a memory limit and a temp folder set, data larger than memory spills to disk instead of
failing.
"""

from __future__ import annotations

import os

ENVIRONMENT = {
    "memory_limit": "JOURNEY_DUCKDB_MEMORY",
    "threads": "JOURNEY_DUCKDB_THREADS",
    "temp_directory": "JOURNEY_DUCKDB_TEMP_DIR",
}


def duckdb_config() -> dict[str, str | int]:
    """DuckDB settings (``memory_limit``, ``threads``, ``temp_directory``) given by the
    environment variables in :data:`ENVIRONMENT`; settings whose variable is unset or empty are
    left out (DuckDB's defaults apply)."""
    config: dict[str, str | int] = {}
    for setting, variable in ENVIRONMENT.items():
        value = os.environ.get(variable, "").strip()
        if not value:
            continue
        config[setting] = int(value) if setting == "threads" else value
    if "temp_directory" in config:
        os.makedirs(str(config["temp_directory"]), exist_ok=True)
    return config
