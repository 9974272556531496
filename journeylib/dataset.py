"""The Dataset: touchpoints in the query engine, with their stage model and load report."""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from journeylib.duckdb_settings import duckdb_config
from journeylib.messages import Message, from_saved

if TYPE_CHECKING:
    from journeylib.filters import Filters

_table_ids = itertools.count(1)
# A time-zone tag in a dataset key: ``|tz=`` and an IANA name (letters, digits, ``_+-/``).
_ZONE_TAG = re.compile(r"\|tz=[A-Za-z0-9_+\-/]+(?=\||$)")


def connect(database: str | BaseBackend = ":memory:") -> BaseBackend:
    """An Ibis connection with its clock set to UTC: a new DuckDB one for a path (``:memory:``
    by default), or ``database`` itself when it is already an Ibis backend (DuckDB, Spark,
    BigQuery, Snowflake, ...), for :meth:`Dataset.from_table`.

    Day and week boundaries must not depend on a server's local time zone, so the engine's
    session time zone is set to UTC where the engine has one (DuckDB ``TimeZone``, Spark
    ``spark.sql.session.timeZone``). DuckDB connections are not thread-safe: use one per user
    session. A new DuckDB takes its memory limit, threads and spill folder from the environment
    (:mod:`journeylib.duckdb_settings`: ``JOURNEY_DUCKDB_MEMORY``, ``JOURNEY_DUCKDB_THREADS``,
    ``JOURNEY_DUCKDB_TEMP_DIR``).
    """
    if isinstance(database, BaseBackend):
        use_utc(database)
        return database
    con = ibis.duckdb.connect(database, **duckdb_config())
    use_utc(con)
    return con


def use_utc(con: BaseBackend) -> None:
    """Set the session time zone of ``con`` to UTC (DuckDB and Spark; other engines' timestamps
    are converted to UTC in each query)."""
    if con.name == "duckdb":
        con.raw_sql("SET TimeZone = 'UTC'")
    elif con.name == "pyspark":
        con.raw_sql("SET spark.sql.session.timeZone = UTC")


def _namespace(table: ibis.Table) -> tuple[str, str] | None:
    """The (catalog, database) a physical table was created in, when not the default one."""
    op = table.op()
    space = getattr(op, "namespace", None)
    if space is None or space.catalog is None or space.database is None:
        return None
    return (space.catalog, space.database)


def drop_dataset(ds: Dataset) -> None:
    """Free the engine table behind an unfiltered ``ds`` (when the session loads other data).

    A dataset bound with :meth:`Dataset.from_table` to an engine without temporary tables has
    no table of its own (its table is a query on the user's table): nothing is dropped."""
    op = ds.table.op()
    if not hasattr(op, "namespace"):
        return
    backend = ds.table._find_backend()
    if backend.name == "pyspark":
        backend.raw_sql(f"UNCACHE TABLE IF EXISTS `{op.name}`")
        backend.drop_view(op.name, force=True)
        return
    backend.drop_table(op.name, database=_namespace(ds.table), force=True)


def on_new_cursor(ds: Dataset) -> Dataset:
    """``ds`` reading through a new cursor of its DuckDB database, for use in another thread.

    A DuckDB connection must not be shared between threads; a cursor is a connection of its own
    to the same database, so the tables already loaded are there. Call this in the thread that
    will use the result. ``ds`` must be unfiltered (its table a database table); apply filters
    to the result. Returns a Dataset with the same settings on a backend with the clock in UTC.
    Other engines' sessions serve several threads: ``ds`` is returned as it is.
    """
    backend = ds.table._find_backend()
    if backend.name != "duckdb":
        return ds
    cursor = ibis.duckdb.from_connection(backend.con.cursor())
    cursor.raw_sql("SET TimeZone = 'UTC'")
    table = cursor.table(ds.table.op().name, database=_namespace(ds.table))
    return dataclasses.replace(ds, table=table)


@dataclass
class LoadReport:
    """What was found in a file and how it was read; shown to the user on the Data page.

    ``mapping``: canonical field -> source column; ``mapping_method``: field -> ``"name"``,
    ``"values"`` (sniffed) or ``"user"``. ``timestamp_formats``: rows per format label;
    ``timestamp_offsets``: rows per UTC offset the timestamps were written with (``"+03:00"``)
    and ``timestamp_zone``: the zone a zoned datetime column carried (see
    :class:`journeylib.timestamps.ParsedTimestamps`).
    ``currency``: ISO code of the revenue's currency when the file names one
    (:func:`journeylib.numeric.currency_of`). ``emotion_scale``: ``(low, high)`` of a numeric
    scale; ``emotion_labels``: label -> valence
    for labels found. ``rejected_counts``: rejected rows per ``reason`` (codes joined by ";"),
    kept when only a sample of the rejected rows is at hand (:meth:`Dataset.from_table`; empty
    for an upload, whose every rejected row is in ``Dataset.rejected``). ``notes``: how things
    were read (``timestamp_notes`` and ``emotion_notes``
    are the parts about each column); ``warnings``: things the user should check. Notes and
    warnings are :class:`~journeylib.messages.Message` codes with parameters, worded by the app
    in the interface language (:func:`journeylib.i18n.say`): nothing here depends on the
    language current at loading.
    """

    source: str = "data"
    format: str = "dataframe"
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    title_rows: int = 0
    empty_rows: int = 0
    source_columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    mapping_method: dict[str, str] = field(default_factory=dict)
    timestamp_formats: dict[str, int] = field(default_factory=dict)
    timestamp_offsets: dict[str, int] = field(default_factory=dict)
    timestamp_zone: str | None = None
    date_order: str | None = None
    emotion_kind: str = "none"
    emotion_scale: tuple[float, float] | None = None
    emotion_scale_name: str | None = None
    emotion_scale_detected: bool = True
    emotion_labels: dict[str, float] = field(default_factory=dict)
    emotion_unknown: dict[str, int] = field(default_factory=dict)
    currency: str | None = None
    n_source_rows: int = 0
    n_rows: int = 0
    n_rejected: int = 0
    rejected_counts: dict[str, int] = field(default_factory=dict)
    timestamp_notes: list[Message] = field(default_factory=list)
    emotion_notes: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> LoadReport:
        """The report from its ``dataclasses.asdict`` record (as a workspace keeps it in JSON).

        Fields the record lacks take their defaults and fields this version no longer has are
        dropped; notes saved as sentences by older versions stay sentences.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: from_saved(v) for k, v in saved.items() if k in known}
        if values.get("emotion_scale"):
            values["emotion_scale"] = tuple(values["emotion_scale"])
        return cls(**values)


@dataclass
class Touchpoints:
    """A parsed file before it enters the engine (plain pandas, so it can be cached).

    ``frame`` has the canonical columns (see :data:`journeylib.load.TABLE_COLUMNS`);
    ``rejected`` has ``row``, ``reason`` and the source columns as text.
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame
    report: LoadReport


@dataclass
class Dataset:
    """Touchpoints loaded into the query engine.

    ``table``: Ibis table with columns ``source_row`` (row in the file), ``customer_id`` (text),
    ``timestamp`` (UTC), ``stage``, ``channel``, ``touchpoint`` (text), ``emotion`` (the score as
    written, when numeric), ``emotion_raw`` (the value as written), ``valence`` (emotion in
    [-1, 1]), ``converted`` (bool), ``revenue`` (float), ``segment``, ``note`` (text). Unmapped
    columns are present and null. ``stages``: ordered stage list; ``purchase_stage``: the stage
    that ends the buyer journey (None when there is no such stage). ``stage_model``: how the
    order was settled, a code from :data:`STAGE_MODELS` (``"preset"``: the preset named by
    ``stage_preset``; ``"given"``: the caller's order; ``"inferred"``: from the data).
    ``rejected``: rows that could not be used, with ``row`` and ``reason`` (codes, several
    joined by ";": ``no_customer_id``, ``no_timestamp``, ``bad_timestamp``, ``wide_row``; the
    catalogue's ``load.reason.<code>`` words them). ``key``: a string that identifies the table
    and any filters on it, for caching results; ``filters``: the active
    :class:`~journeylib.filters.Filters` (None when none). ``conversion``: the conversion rule
    the user chose (a code of :data:`journeylib.journeys.CONVERSION_RULES`; None: the default
    rule for the data). ``timezone``: the IANA zone calendar periods (days, weeks, months,
    cohorts) are counted in (see :mod:`journeylib.timezones`; set it with
    :func:`journeylib.timezones.with_timezone`).
    """

    table: ibis.Table
    stages: list[str]
    purchase_stage: str | None
    rejected: pd.DataFrame
    report: LoadReport
    name: str = "data"
    stage_model: str = "inferred"
    stage_preset: str | None = None
    key: str = ""
    filters: Filters | None = None
    conversion: str | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if not self.key:
            self.key = self.table.get_name()
        self.key = zone_key(self.key, self.timezone)
        if self.stage_model not in STAGE_MODELS:
            # Workspaces saved before the codes hold the English description.
            preset = self.stage_model.removeprefix("preset ")
            self.stage_model = "preset" if preset != self.stage_model else (
                "given" if self.stage_model == "as given" else "inferred")
            self.stage_preset = preset if self.stage_model == "preset" else None

    @classmethod
    def from_table(
        cls,
        table: ibis.Table,
        *,
        mapping: dict[str, str | None] | None = None,
        stages: str | list[str] | None = None,
        purchase_stage: str | None = None,
        name: str | None = None,
        emotion_scale: str | tuple[float, float] | None = None,
    ) -> Dataset:
        """Bind an existing table of any Ibis backend (a warehouse table, a Spark view), with
        the upload's validation done as queries in that engine: see
        :func:`journeylib.warehouse.from_table`."""
        from journeylib import warehouse

        return warehouse.from_table(
            table, mapping=mapping, stages=stages, purchase_stage=purchase_stage, name=name,
            emotion_scale=emotion_scale,
        )

    @property
    def mapping(self) -> dict[str, str]:
        """Canonical field -> source column, for every mapped field."""
        return dict(self.report.mapping)

    @property
    def currency(self) -> str | None:
        """ISO code of the revenue's currency when the file names one (a mark on the amounts
        or in the column's name: ``1 234,50 ₽``, ``Выручка, руб.``), else None."""
        return self.report.currency

    @property
    def n_rows(self) -> int:
        """Rows loaded into the table."""
        return self.report.n_rows

    @property
    def n_rejected(self) -> int:
        """Rows of the file that could not be used (see ``rejected``)."""
        return self.report.n_rejected

    @property
    def buyer_stages(self) -> list[str]:
        """Stages up to and including the purchase stage (all stages when there is none)."""
        if self.purchase_stage not in self.stages:
            return list(self.stages)
        return self.stages[: self.stages.index(self.purchase_stage) + 1]

    @property
    def customer_stages(self) -> list[str]:
        """Stages after the purchase: service, loyalty, advocacy."""
        return self.stages[len(self.buyer_stages) :]


def zone_key(key: str, zone: str) -> str:
    """``key`` naming time zone ``zone``: any zone tag it had removed, then ``|tz=<zone>``
    appended unless ``zone`` is UTC. The one rule for a dataset key's zone, applied by
    :class:`Dataset` however a dataset is made (so cached results of one zone are never shown
    for another); applying it again gives the same key."""
    key = _ZONE_TAG.sub("", key)
    return key if zone == "UTC" else f"{key}|tz={zone}"


# How a dataset's stage order was settled (Dataset.stage_model).
STAGE_MODELS = ("preset", "given", "inferred")


def new_table_name() -> str:
    """A fresh engine table name; never derived from user input."""
    return f"touchpoints_{next(_table_ids)}"
