"""Per-session state of the app: the engine connection, the chosen file and the loaded dataset.

Everything here is plumbing between widgets and journeylib; calculations live in journeylib.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

import journeylib as jl
from dashboard import connections
from journeylib import files, journeys, timezones, touchpoints, workspace
from journeylib.filters import Filters
from journeylib.i18n import formats, t
from journeylib.text import escape_markdown

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "sample_data" / "journeys.csv"
# The conversion rule the user chose on the Data page (a code of journeys.CONVERSION_RULES;
# absent: the data's default), applied to the dataset every page and export gets.
CONVERSION_RULE = "conversion_rule"
# The time zone the user chose on the Data page (an IANA name; absent: the data's own, from
# the file's offsets or the workspace), applied to the dataset every page and export gets.
TIMEZONE = "timezone"


@dataclass
class LoadOptions:
    """What the user chose on the Data page; every field is part of the cache key."""

    sheet: str | None = None
    member: str | None = None  # the table read from a zip archive of several
    mapping: dict[str, str | None] = field(default_factory=dict)
    date_order: str | None = None
    emotion_scale: str | None = None
    emotion_labels: dict[str, float] = field(default_factory=dict)
    stages: str | list[str] | None = None
    purchase_stage: str | None = None

    def parse_key(self) -> tuple:
        return (
            self.sheet,
            self.member,
            tuple(sorted(self.mapping.items(), key=str)),
            self.date_order,
            self.emotion_scale,
            tuple(sorted(self.emotion_labels.items())),
        )

    def dataset_key(self) -> tuple:
        stages = tuple(self.stages) if isinstance(self.stages, list) else self.stages
        return (*self.parse_key(), stages, self.purchase_stage)


@st.cache_resource(scope="session")
def connection():
    """One DuckDB connection per browser session (connections are not thread-safe)."""
    return jl.connect()


def read_file(
    digest: str, name: str, sheet: str | None, _data: bytes | str | Path,
    member: str | None = None,
) -> jl.RawTable:
    """The file's table, kept by content digest (the file itself is not hashed). ``_data``
    is the file's path (an upload saved to disk, a file of the server's data folder) or its
    bytes. The table holds no interface text, so it serves every language. A file not read yet
    shows a progress bar with the rows read so far."""
    if _kept_table(digest, name, sheet, member) is not None:
        return _read_file(digest, name, sheet, member, _data)
    bar = st.progress(0.0, text=t("data.loading.reading"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 0.0,
                     text=t("load.progress.rows_read", n=done))

    try:
        return _read_file(digest, name, sheet, member, _data, progress)
    finally:
        bar.empty()


# Tables read, by (digest, name, sheet, member), the newest last: kept as objects for every
# session (not copied per use as st.cache_data would copy them; a few files of millions of rows
# fit in memory, eight copies of each do not). Not st.cache_resource: the progress bar drawn
# while a file is read lives outside the cached call, which Streamlit's replay forbids.
_TABLES: OrderedDict[tuple, jl.RawTable] = OrderedDict()
_TABLES_LOCK = threading.Lock()
MAX_TABLES = 3


def _kept_table(digest: str, name: str, sheet: str | None, member: str | None):
    with _TABLES_LOCK:
        return _TABLES.get((digest, name, sheet, member))


def _read_file(
    digest: str, name: str, sheet: str | None, member: str | None, _data: bytes | str | Path,
    progress: Callable[[int, int], None] | None = None,
) -> jl.RawTable:
    key = (digest, name, sheet, member)
    with _TABLES_LOCK:
        if key in _TABLES:
            _TABLES.move_to_end(key)
            return _TABLES[key]
    if isinstance(_data, str | Path):
        raw = jl.read_table(Path(_data), sheet=sheet, member=member, progress=progress)
    else:
        raw = jl.read_table(_named_bytes(_data, name), sheet=sheet, member=member)
    with _TABLES_LOCK:
        _TABLES[key] = raw
        while len(_TABLES) > MAX_TABLES:
            _TABLES.popitem(last=False)
    return raw


def parse_file(digest: str, name: str, key: tuple, _data: bytes | str | Path,
               _options: LoadOptions):
    """Parsed touchpoints for a file and the parse-relevant options (``key``); the same in every
    language (the load report holds codes, worded where it is shown)."""
    raw = read_file(digest, name, _options.sheet, _data, _options.member)
    rows = len(raw.frame) + len(raw.bad_rows)
    bar = st.progress(0.5, text=t("load.progress.interpreting", n=rows))
    try:
        return _parse_file(digest, name, key, _data, _options)
    finally:
        bar.empty()


@st.cache_resource(show_spinner=False, max_entries=3)
def _parse_file(digest: str, name: str, key: tuple, _data: bytes | str | Path,
                _options: LoadOptions):
    raw = _read_file(digest, name, _options.sheet, _options.member, _data)
    return jl.parse_touchpoints(
        raw,
        mapping=_options.mapping,
        date_order=_options.date_order,
        emotion_scale=_options.emotion_scale,
        emotion_labels=_options.emotion_labels,
    )


def _named_bytes(data: bytes, name: str):
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def options() -> LoadOptions:
    """The session's load options (created on first use)."""
    if "load_options" not in st.session_state:
        st.session_state["load_options"] = LoadOptions()
    return st.session_state["load_options"]


def set_upload(name: str, data) -> None:
    """Make an uploaded file the active source, with fresh options. ``data``: the uploaded
    file (read a chunk at a time into the upload folder, with a progress bar; nothing of it is
    kept in the session) or its bytes."""
    size = getattr(data, "size", None)
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    if isinstance(data, bytes | bytearray):
        size = len(data)
    total = (size or 0) / 2**20
    bar = st.progress(0.0, text=t("load.progress.saving", done=formats.number(0, 0),
                                  total=formats.number(total, 0)))

    def progress(done: int, size: int | None) -> None:
        fraction = min(done / size, 1.0) if size else 0.0
        bar.progress(fraction, text=t("load.progress.saving", done=formats.number(done / 2**20, 0),
                                      total=formats.number(total, 0)))

    try:
        path, digest = files.save_upload(stream, name, size=size, progress=progress)
    finally:
        bar.empty()
    _use_file({"name": name, "path": str(path), "digest": digest})


def set_server_path(relative: str) -> None:
    """Make a file or folder of the server's data folder the active source (read where it
    is, nothing uploaded). Raises ``jl.DataError`` with a sentence for a path outside the
    folder or one that names nothing."""
    path = files.resolve_in_folder(relative)
    _use_file({"name": relative.strip(), "path": str(path), "digest": files.path_digest(path),
               "file_name": path.name})


def _use_file(entry: dict) -> None:
    st.session_state["upload"] = entry
    st.session_state["load_options"] = LoadOptions()
    st.session_state["filters"] = Filters()
    st.session_state.pop(CONVERSION_RULE, None)  # another file: its own default rule
    st.session_state.pop(TIMEZONE, None)  # and its own time zone
    st.session_state["source"] = "upload"


def source() -> str:
    """Where the data comes from: ``"sample"``, ``"upload"``, ``"workspace"`` or
    ``"connection"`` (a table of a connection in the secrets)."""
    return st.session_state.get("source", "sample")


def active_file() -> dict | None:
    """``{"name", "file_name", "path", "digest"}`` of the file in use (``data``, its bytes,
    instead of ``path`` where a test put them in the session); None when no upload
    exists yet or the data comes from a saved workspace or a connection. ``file_name`` is the
    name the file is read by (its extension tells the format); ``name`` the one shown."""
    if source() in ("workspace", "connection"):
        return None
    if source() == "upload":
        return st.session_state.get("upload")
    if "sample_file" not in st.session_state:
        data = SAMPLE_PATH.read_bytes()
        st.session_state["sample_file"] = {
            "path": str(SAMPLE_PATH),
            "digest": hashlib.sha256(data).hexdigest(),
            "file_name": SAMPLE_PATH.name,
        }
    # The sample's shown name is interface text: named in the current language on every run.
    return {**st.session_state["sample_file"], "name": t("data.sample_name")}


def active_raw() -> jl.RawTable | None:
    """The active file's table (raises ``jl.DataError`` when the file cannot be read)."""
    file = active_file()
    if file is None:
        return None
    return read_file(file["digest"], _file_name(file), options().sheet, file_source(file),
                     options().member)


def _file_name(file: dict) -> str:
    return file.get("file_name", file["name"])


def file_source(file: dict) -> bytes | str:
    """What a file entry of :func:`active_file` is read from: its path, or its bytes."""
    return file["path"] if "path" in file else file["data"]


def active_dataset() -> jl.Dataset | None:
    """The active dataset, rebuilt only when the file or options change.

    Raises ``jl.DataError`` with a message for the user when the file cannot be used.
    """
    if source() == "workspace":
        return _workspace_dataset()
    if source() == "connection":
        return connections.active_dataset()
    file = active_file()
    if file is None:
        return None
    opts = options()
    key = (file["digest"], opts.dataset_key())
    cached = st.session_state.get("dataset")
    if cached is not None and cached[0] == key:
        if cached[1].name != file["name"]:
            # The sample is named in the interface language: rename it, keeping the engine
            # table and its key (so filters and cached results stay). Nothing is read again.
            st.session_state["dataset"] = (key, dataclasses.replace(cached[1], name=file["name"]))
        return st.session_state["dataset"][1]
    parsed = parse_file(file["digest"], _file_name(file), opts.parse_key(), file_source(file),
                        opts)
    if cached is None or cached[0][0] != file["digest"]:
        st.session_state["workspace_extras"] = {}  # targets and views belong to other data
    bar = st.progress(0.8, text=t("data.loading.engine", n=parsed.report.n_rows))
    with contextlib.closing(_Emptied(bar)):
        dataset = jl.to_dataset(
            parsed,
            con=_fresh_connection(),
            stages=opts.stages,
            purchase_stage=opts.purchase_stage,
            name=file["name"],
        )
    st.session_state["dataset"] = (key, dataset)
    return dataset


class _Emptied:
    """Empties a progress bar when closed."""

    def __init__(self, bar) -> None:
        self.bar = bar

    def close(self) -> None:
        self.bar.empty()


def _fresh_connection():
    """The session connection, after dropping the table of the dataset being replaced."""
    cached = st.session_state.pop("dataset", None)
    if cached is not None:
        jl.drop_dataset(cached[1])
    return connection()


def _workspace_dataset() -> jl.Dataset | None:
    """The chosen workspace's dataset, loaded again only when its rows changed.

    The cache key holds the file's modification time and the ``data_id`` of the rows loaded.
    When only the time differs (a view was saved or deleted, here or in another session), the
    loaded dataset stays (same object and engine table, so cached results stay) and only the
    session's saved views are taken from the file; its other extras (e.g. unsaved scorecard
    targets) stay. Files without a ``data_id`` (saved before it existed) are loaded again.
    """
    name = st.session_state.get("workspace_name")
    if not name:
        return None
    path = workspace.path_of(name)
    mtime = path.stat().st_mtime_ns if path is not None and path.exists() else None
    cached = st.session_state.get("dataset")
    loaded = cached[0] if cached is not None else None
    if loaded is not None and loaded[:3] == ("workspace", name, mtime):
        return cached[1]
    if mtime is not None and loaded is not None and loaded[:2] == ("workspace", name):
        loaded_id = loaded[3]
        meta = workspace.read_meta(name)
        if loaded_id is not None and meta.get("data_id") == loaded_id:
            _take_views(meta.get("extras", {}).get("views"))
            st.session_state["dataset"] = (("workspace", name, mtime, loaded_id), cached[1])
            return cached[1]
    with st.spinner(t("data.loading.workspace", name=name)):
        opened = workspace.open_workspace(name, con=_fresh_connection())
    st.session_state["workspace_extras"] = opened.extras
    st.session_state.pop(TIMEZONE, None)  # the workspace's own zone
    st.session_state["dataset"] = (("workspace", name, mtime, opened.data_id), opened.dataset)
    return opened.dataset


def _take_views(views: dict | None) -> None:
    """Make ``views`` (those of the workspace file) the session's saved views, keeping its other
    extras."""
    extras = dict(st.session_state.get("workspace_extras", {}))
    if views:
        extras["views"] = views
    else:
        extras.pop("views", None)
    st.session_state["workspace_extras"] = extras


def save_active(name: str, *, read_only: bool, overwrite: bool = True) -> Path:
    """Save the active dataset (unfiltered) as workspace ``name`` with the session's extras;
    returns its file. Views already in the file are kept, also those another session saved
    after this one read them (:func:`journeylib.workspace.save_workspace` merges them). With
    ``overwrite=False`` an existing workspace of that name raises ``WorkspaceExists``."""
    dataset = active_dataset()
    if dataset is None:
        raise jl.DataError(t("data.save.nothing"))
    extras = st.session_state.get("workspace_extras", {})
    return workspace.save_workspace(with_timezone(dataset), name, read_only=read_only,
                                    extras=extras, overwrite=overwrite)


def scorecard_targets() -> pd.DataFrame | None:
    """KPI targets and owners of the active data (edited on the Touchpoints page, saved with a
    workspace); None when none were set."""
    saved = st.session_state.get("workspace_extras", {}).get("scorecard_targets")
    return touchpoints.clean_targets(pd.DataFrame(saved)) if saved else None


def set_scorecard_targets(targets: pd.DataFrame) -> None:
    """Keep targets with the active data, so saving a workspace saves them."""
    records = [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in row.items()} for row in targets.to_dict("records")]
    st.session_state.setdefault("workspace_extras", {})["scorecard_targets"] = records


def filters() -> Filters:
    """The sidebar filters of this session."""
    return st.session_state.get("filters", Filters())


def set_filters(value: Filters) -> None:
    """Replace the session's filters (every analysis page applies them)."""
    st.session_state["filters"] = value


def per_dataset(dataset: jl.Dataset, name: str, compute: Callable[[jl.Dataset], object]):
    """``compute(dataset)`` once per dataset (by its key) in this session: summaries shown on
    every run cost a query each, seconds on a warehouse. Keeps the results of the last few
    datasets."""
    store = st.session_state.setdefault("_per_dataset", {})
    key = (dataset.key, name)
    if key not in store:
        if len(store) >= 32:
            store.clear()
        store[key] = compute(dataset)
    return store[key]


def filter_options(dataset: jl.Dataset) -> dict:
    """Values the filters can take for ``dataset``, computed once per dataset."""
    cached = st.session_state.get("filter_options")
    if cached is None or cached[0] != dataset.key:
        cached = (dataset.key, jl.filter_options(dataset))
        st.session_state["filter_options"] = cached
    return cached[1]


def with_conversion_rule(dataset: jl.Dataset) -> jl.Dataset:
    """``dataset`` counting conversions by the rule chosen on the Data page."""
    return journeys.with_conversion_rule(dataset, st.session_state.get(CONVERSION_RULE))


def with_timezone(dataset: jl.Dataset) -> jl.Dataset:
    """``dataset`` counting calendar periods in the zone chosen on the Data page; without a
    choice, the data's own (from the file's offsets, or the workspace's), or for a file whose
    timestamps named no zone the browser's."""
    chosen = st.session_state.get(TIMEZONE)
    if chosen not in timezones.zone_names() or not timezones.supports_zones(dataset):
        chosen = default_zone(dataset)
    return timezones.with_timezone(dataset, chosen)


def browser_zone() -> str | None:
    """The browser's time zone when it reports one this server knows."""
    zone = st.context.timezone
    return zone if zone in timezones.zone_names() else None


def default_zone(dataset: jl.Dataset) -> str:
    """The zone used until the user chooses one (see :func:`with_timezone`); UTC on an engine
    that cannot count periods in another zone (:func:`journeylib.timezones.supports_zones`)."""
    if not timezones.supports_zones(dataset):
        return timezones.UTC
    if dataset.timezone != timezones.UTC or source() == "workspace":
        return dataset.timezone
    return browser_zone() or dataset.timezone


def _with_settings(dataset: jl.Dataset) -> jl.Dataset:
    return with_timezone(with_conversion_rule(dataset))


def for_another_thread() -> Callable[[], jl.Dataset]:
    """A function returning the active dataset with the session's conversion rule and sidebar
    filters, reading through a new cursor of the session's database: for work Streamlit runs
    outside the script thread (deferred downloads), where the session connection must not be
    used."""
    base, chosen = _with_settings(active_dataset()), filters()
    return lambda: jl.apply_filters(jl.on_new_cursor(base), chosen)


def require_dataset() -> jl.Dataset:
    """The active dataset with the session's conversion rule and the sidebar filters applied,
    for an analysis page; stops the page
    with a pointer to the Data page when there is none or it cannot be used."""
    try:
        dataset = active_dataset()
    except jl.DataError as exc:
        dataset, problem = None, str(exc)
    else:
        problem = t("data.no_data_yet")
    if dataset is None:
        st.warning(escape_markdown(problem))
        st.page_link(page="app_pages/data.py", label=t("data.go_to_data"), icon="📄")
        st.stop()
    return jl.apply_filters(_with_settings(dataset), filters())
