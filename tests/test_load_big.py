"""Big files without copies (issue 17): DuckDB reads text and Parquet files from disk and gives
the same Dataset as Python's readers; uploads are copied to disk a chunk at a time; files open
from the server data folder and nowhere else; DuckDB takes its resources from the environment."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from apptest import new_app
from corpus import LOAD_OPTIONS, SHAPES, csv_bytes

import journeylib as jl
from journeylib import files, read
from journeylib.duckdb_settings import duckdb_config

# Odd files that must read the same through DuckDB and through Python's reader.
ODD_FILES: dict[str, bytes] = {
    "bom.csv": b"\xef\xbb\xbfcustomer,date,stage\na,2026-03-01 10:00,Awareness\n"
               b"b,2026-03-02 11:00,Purchase\n",
    "semicolon_cp1251.csv": "Клиент;Дата;Этап;Выручка\nа;01.03.2026 10:00;Осведомлённость;1,5\n"
                            "б;02.03.2026 11:00;Покупка;2,25\n".encode("cp1251"),
    "polish_cp1250.csv": "Klient;Data;Etap;Kanał\nż;2026-03-01;Świadomość;e-mail\n"
                         "ą;2026-03-02;Zakup;sklep\n".encode("cp1250"),
    "utf16.txt": "customer\tdate\tstage\na\t2026-03-01\tAwareness\nb\t2026-03-02\tPurchase\n"
                 .encode("utf-16"),
    "titles.csv": b"Report for March\n\ncustomer,date,stage\na,2026-03-01,Awareness\n"
                  b"b,2026-03-02,Purchase\n",
    "no_header.csv": b"a,2026-03-01 10:00,Awareness\nb,2026-03-02 11:00,Purchase\n",
    "trailing.csv": b"customer,date,stage\na,2026-03-01,Awareness,\nb,2026-03-02,Purchase,\n",
    "wide_row.csv": b"customer,date,stage\na,2026-03-01,Awareness\nb,2026-03-02,Buy,extra\n"
                    b"c,2026-03-03,Purchase\n",
    "quoted_newlines.csv": b'customer,date,stage,note\na,2026-03-01,Awareness,"two\nlines"\n'
                           b'b,2026-03-02,Purchase,"say ""hi"", ok"\n',
    "short_rows.csv": b"customer,date,stage,segment\na,2026-03-01,Awareness\n"
                      b"b,2026-03-02,Purchase,VIP\n",
    "blank_lines.csv": b"customer,date,stage\na,2026-03-01,Awareness\n\n"
                       b"b,2026-03-02,Purchase\n",
    "blank_cells.csv": "customer,date,stage\n , ,\t\na,2026-03-01,Awareness\n"
                       "\u00a0,\u3000,\nb,,Purchase\n,2026-03-03,Purchase\n".encode(),
    "offsets.csv": b"customer,date,stage\na,2026-03-01T10:00:00+03:00,Awareness\n"
                   b"b,2026-03-02T11:00:00+03:00,Purchase\n",
    "crlf.csv": b"customer,date,stage\r\na,2026-03-01,Awareness\r\nb,2026-03-02,Purchase\r\n",
    "bad_date.csv": b"customer,date,stage\na,2026-03-01,Awareness\nb,not a date,Purchase\n"
                    b"c,2026-03-03,Purchase\n",
}


def _python_only(monkeypatch) -> None:
    """Make every text file go through Python's reader, as files DuckDB cannot read do."""
    monkeypatch.setattr(read, "_duckdb_csv", lambda *args, **kwargs: None)


def _rows(ds: jl.Dataset) -> pd.DataFrame:
    return ds.table.to_pandas().sort_values("source_row").reset_index(drop=True)


def _same_dataset(left: jl.Dataset, right: jl.Dataset) -> None:
    pd.testing.assert_frame_equal(_rows(left), _rows(right))
    assert left.table.schema() == right.table.schema()
    pd.testing.assert_frame_equal(left.rejected, right.rejected)
    assert left.timezone == right.timezone
    assert left.stages == right.stages
    for name in ("n_source_rows", "n_rows", "n_rejected", "empty_rows", "header_row",
                 "title_rows", "encoding", "delimiter", "decimal", "source_columns", "mapping",
                 "timestamp_formats", "timestamp_offsets", "timestamp_zone"):
        assert getattr(left.report, name) == getattr(right.report, name), name


def _load_both(path: Path, monkeypatch, **options) -> tuple[jl.Dataset, jl.Dataset, bool]:
    """The dataset of ``path`` through the reader the file gets, then through Python's reader,
    and whether DuckDB read it."""
    used = []
    original = read._duckdb_csv

    def spy(*args, **kwargs):
        table = original(*args, **kwargs)
        used.append(table is not None)
        return table

    with monkeypatch.context() as patch:
        patch.setattr(read, "_duckdb_csv", spy)
        fast = jl.load(path, **options)
    with monkeypatch.context() as patch:
        _python_only(patch)
        slow = jl.load(path, **options)
    return fast, slow, any(used)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_corpus_loads_the_same_through_duckdb_and_python(shape, tmp_path, monkeypatch):
    path = tmp_path / f"{shape}.csv"
    path.write_bytes(csv_bytes(SHAPES[shape]()))
    fast, slow, by_duckdb = _load_both(path, monkeypatch, **LOAD_OPTIONS.get(shape, {}))
    assert by_duckdb
    _same_dataset(fast, slow)


# Files DuckDB reads itself; the others need Python's reader for some rows (a wider row,
# blank lines whose row numbers are kept).
BY_DUCKDB = set(ODD_FILES) - {"wide_row.csv", "blank_lines.csv", "titles.csv"}


@pytest.mark.parametrize("name", sorted(ODD_FILES))
def test_odd_files_load_the_same_through_duckdb_and_python(name, tmp_path, monkeypatch):
    path = tmp_path / name
    path.write_bytes(ODD_FILES[name])
    options = {"mapping": {"customer_id": "column_1", "timestamp": "column_2",
                           "stage": "column_3"}} if name == "no_header.csv" else {}
    fast, slow, by_duckdb = _load_both(path, monkeypatch, **options)
    assert by_duckdb == (name in BY_DUCKDB)
    _same_dataset(fast, slow)


def test_rejected_rows_keep_their_reasons_and_row_numbers(tmp_path):
    path = tmp_path / "bad_date.csv"
    path.write_bytes(ODD_FILES["bad_date.csv"])
    ds = jl.load(path)
    assert ds.rejected[["row", "reason"]].values.tolist() == [[3, "bad_timestamp"]]
    wide = tmp_path / "wide_row.csv"
    wide.write_bytes(ODD_FILES["wide_row.csv"])
    ds = jl.load(wide)
    assert ds.rejected[["row", "reason"]].values.tolist() == [[3, "wide_row"]]
    assert ds.n_rows == 2


def test_whitespace_only_rows_are_counted_empty_not_loaded(tmp_path):
    path = tmp_path / "blank_cells.csv"
    path.write_bytes(ODD_FILES["blank_cells.csv"])
    raw = jl.read_table(path)
    assert list(raw.rows) == [3, 5, 6]
    assert raw.empty_rows == 2


def test_bytes_path_and_file_object_read_the_same(tmp_path):
    data = ODD_FILES["semicolon_cp1251.csv"]
    path = tmp_path / "ru.csv"
    path.write_bytes(data)
    buffer = io.BytesIO(data)
    buffer.name = "ru.csv"
    from_path, from_buffer = jl.read_table(path), jl.read_table(buffer)
    pd.testing.assert_frame_equal(from_path.frame, from_buffer.frame)
    assert from_path.encoding == from_buffer.encoding == "cp1251"
    assert list(from_path.rows) == list(from_buffer.rows)


def test_a_file_that_is_not_utf8_past_the_first_megabyte_is_read_as_its_encoding(tmp_path):
    good = b"customer,date,stage\n" + b"a,2026-03-01,Awareness\n" * 60_000
    tail = "ż,2026-03-02,Zakup\n".encode("cp1250")
    path = tmp_path / "late.csv"
    path.write_bytes(good + tail)
    raw = jl.read_table(path)
    assert raw.encoding == "cp1250"
    assert raw.frame.iloc[-1].tolist() == ["ż", "2026-03-02", "Zakup"]
    assert len(raw.frame) == 60_001


def test_a_long_field_is_refused_with_its_row_from_duckdb(tmp_path):
    long = "x" * (read.MAX_FIELD_CHARS + 1)
    path = tmp_path / "long.csv"
    path.write_text(f"customer,date,note\na,2026-03-01,ok\nb,2026-03-02,{long}\n")
    with pytest.raises(jl.DataError) as caught:
        jl.read_table(path)
    assert caught.value.code == "errors.field_too_large"
    assert caught.value.params["row"] == 3


# ---------------------------------------------------------------------------- Parquet


def _typed_frame(n: int = 50, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [f"c{i % 7}" for i in range(start, start + n)],
        "timestamp": pd.date_range("2026-03-01", periods=n, freq="h", tz="Europe/Warsaw")
                     + pd.Timedelta(hours=start),
        "stage": pd.Categorical(["Awareness", "Purchase"] * (n // 2)),
        "emotion": pd.array([1, None, 3, 4, 5] * (n // 5), dtype="Int64"),
        "revenue": np.linspace(0, 10, n),
        "converted": [True, False] * (n // 2),
    })


def test_parquet_is_read_by_duckdb_with_the_types_pandas_reads(tmp_path, monkeypatch):
    path = tmp_path / "typed.parquet"
    _typed_frame().to_parquet(path)
    used = []
    original = read.duckdb_reader

    def spy():
        used.append(True)
        return original()

    monkeypatch.setattr(read, "duckdb_reader", spy)
    raw = jl.read_table(path)
    assert used
    expected = read._from_frame(pd.read_parquet(path)).frame
    pd.testing.assert_frame_equal(raw.frame, expected)
    assert str(raw.frame["timestamp"].dt.tz) == "Europe/Warsaw"
    ds = jl.load(path)
    assert ds.timezone == "Europe/Warsaw"
    assert ds.n_rows == 50


def test_a_folder_of_parquet_files_is_one_table(tmp_path):
    folder = tmp_path / "events"
    (folder / "month=03").mkdir(parents=True)
    _typed_frame(50, 0).to_parquet(folder / "month=03" / "part-0.parquet")
    _typed_frame(50, 50).to_parquet(folder / "part-1.parquet")
    (folder / "_SUCCESS").write_text("")
    raw = jl.read_table(folder)
    assert len(raw.frame) == 100
    assert raw.format == "parquet"
    with pytest.raises(jl.DataError) as caught:
        jl.read_table(_empty_folder(tmp_path))
    assert caught.value.code == "errors.folder_no_parquet"


def _empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "nothing"
    folder.mkdir()
    (folder / "readme.txt").write_text("no tables")
    return folder


# ---------------------------------------------------------------------------- server folder


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "march.csv").write_bytes(ODD_FILES["bom.csv"])
    (folder / "parts").mkdir()
    _typed_frame().to_parquet(folder / "parts" / "p0.parquet")
    (tmp_path / "secret.csv").write_bytes(ODD_FILES["bom.csv"])
    (folder / "link.csv").symlink_to(tmp_path / "secret.csv")
    monkeypatch.setenv(files.DATA_DIR_ENV, str(folder))
    return folder


@pytest.mark.parametrize("path", [
    "../secret.csv", "parts/../../secret.csv", "..", "/etc/passwd", "C:\\Windows\\win.ini",
    "..\\secret.csv", "link.csv",
])
def test_a_path_outside_the_data_folder_is_refused_with_a_sentence(data_dir, path):
    with pytest.raises(jl.DataError) as caught:
        files.resolve_in_folder(path)
    assert caught.value.code == "errors.outside_data_folder"
    for lang in ("en", "ru", "pl"):
        words = caught.value.words(lang)
        assert path.strip() in words and "{" not in words


def test_paths_inside_the_data_folder_open_and_are_listed(data_dir):
    assert files.resolve_in_folder("march.csv") == (data_dir / "march.csv").resolve()
    assert files.resolve_in_folder("./parts/") == (data_dir / "parts").resolve()
    assert "march.csv" in files.folder_entries() and "parts/" in files.folder_entries()
    with pytest.raises(jl.DataError) as caught:
        files.resolve_in_folder("april.csv")
    assert caught.value.code == "errors.not_in_data_folder"
    assert jl.load(files.resolve_in_folder("parts")).n_rows == 50


def test_no_data_folder_without_the_variable(monkeypatch):
    monkeypatch.delenv(files.DATA_DIR_ENV, raising=False)
    assert files.data_folder() is None
    with pytest.raises(jl.DataError) as caught:
        files.resolve_in_folder("march.csv")
    assert caught.value.code == "errors.no_data_folder"


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_the_data_page_refuses_traversal_in_words_and_opens_a_file(data_dir, lang):
    at = new_app(lang=lang)
    at.run()
    at.text_input(key="server_file_path").set_value("../secret.csv")
    at.button(key="server_file_open").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("../secret.csv" in e for e in errors), errors
    at.text_input(key="server_file_path").set_value("march.csv")
    at.button(key="server_file_open").click().run()
    assert not at.exception
    assert at.session_state["upload"]["path"] == str((data_dir / "march.csv").resolve())
    assert "data" not in at.session_state["upload"]
    assert not at.error


# ---------------------------------------------------------------------------- uploads


class _Chunks(io.RawIOBase):
    """A stream that records how much each read asked for."""

    def __init__(self, data: bytes) -> None:
        self.buffer, self.asked = io.BytesIO(data), []

    def read(self, size: int = -1) -> bytes:
        self.asked.append(size)
        return self.buffer.read(size)


def test_an_upload_is_copied_a_chunk_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setenv(files.UPLOAD_DIR_ENV, str(tmp_path / "uploads"))
    monkeypatch.setattr(files, "CHUNK_BYTES", 1000)
    data = b"customer,date,stage\n" + b"a,2026-03-01,Awareness\n" * 200
    stream, seen = _Chunks(data), []
    path, digest = files.save_upload(stream, "../../march.csv", size=len(data),
                                     progress=lambda done, size: seen.append(done))
    assert digest == hashlib.sha256(data).hexdigest()
    assert path.read_bytes() == data
    assert path.name == "march.csv" and path.parent.parent == tmp_path / "uploads"
    assert set(stream.asked) == {1000}
    assert seen[-1] == len(data) and len(seen) == 5
    again, _ = files.save_upload(io.BytesIO(data), "march.csv")
    assert again == path


def test_the_data_page_keeps_an_upload_on_disk_not_in_the_session(tmp_path, monkeypatch):
    monkeypatch.setenv(files.UPLOAD_DIR_ENV, str(tmp_path / "uploads"))
    at = new_app()
    at.run()
    data = ODD_FILES["bom.csv"]
    at.file_uploader[0].set_value(("march.csv", data, "text/csv")).run()
    assert not at.exception
    upload = at.session_state["upload"]
    assert "data" not in upload
    assert Path(upload["path"]).read_bytes() == data
    assert upload["digest"] == hashlib.sha256(data).hexdigest()
    assert not at.error


# ---------------------------------------------------------------------------- DuckDB settings


def test_duckdb_settings_come_from_the_environment(tmp_path, monkeypatch):
    spill = tmp_path / "spill"
    monkeypatch.setenv("JOURNEY_DUCKDB_MEMORY", "512MB")
    monkeypatch.setenv("JOURNEY_DUCKDB_THREADS", "1")
    monkeypatch.setenv("JOURNEY_DUCKDB_TEMP_DIR", str(spill))
    assert duckdb_config() == {"memory_limit": "512MB", "threads": 1,
                               "temp_directory": str(spill)}
    assert spill.is_dir()
    con = jl.connect()
    settings = con.raw_sql(
        "SELECT current_setting('memory_limit'), current_setting('threads'), "
        "current_setting('temp_directory')"
    ).fetchone()
    assert settings[0] in ("512.0 MiB", "488.2 MiB", "512.0 MB") or "MiB" in settings[0]
    assert settings[1] == 1
    assert settings[2] == str(spill)
    with read.duckdb_reader() as reader:
        assert reader.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        assert reader.execute(
            "SELECT current_setting('temp_directory')").fetchone()[0] == str(spill)


def test_without_the_variables_duckdb_keeps_its_defaults(monkeypatch):
    for name in ("JOURNEY_DUCKDB_MEMORY", "JOURNEY_DUCKDB_THREADS", "JOURNEY_DUCKDB_TEMP_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert duckdb_config() == {}
    default = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    with read.duckdb_reader() as reader:
        assert reader.execute("SELECT current_setting('threads')").fetchone()[0] == default


def test_spaces_outside_quotes_are_where_duckdb_and_python_differ(tmp_path):
    """DuckDB takes a quoted cell with spaces outside its quotes as quoted (the spaces
    dropped); Python's csv module took the quotes as text. A known, documented difference:
    DuckDB's reading loads the row that Python's rejected as wider than the header."""
    path = tmp_path / "spaced.csv"
    path.write_bytes(b'customer,date,stage\na,2026-03-01, "x,y"\nb,2026-03-02,"Buy" \n')
    raw = jl.read_table(path)
    assert raw.frame["stage"].tolist() == ["x,y", "Buy"]
    assert raw.bad_rows == []


def test_reading_reports_rows_read_as_it_goes(tmp_path):
    path = tmp_path / "many.csv"
    path.write_bytes(b"customer,date,stage\n" + b"a,2026-03-01,Awareness\n" * 200_000)
    seen: list[tuple[int, int]] = []
    raw = jl.read_table(path, progress=lambda done, total: seen.append((done, total)))
    assert len(raw.frame) == 200_000
    assert seen[-1] == (200_000, 200_000)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
