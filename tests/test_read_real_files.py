"""Real exports as shops send them: packed as .gz or .zip, too big for the host, broken, with
short years and geographic segment columns. Every refusal is a DataError with a code, checked
before the work it bounds (memory measured with tracemalloc, not time)."""

from __future__ import annotations

import csv
import gzip
import io
import tracemalloc
import zipfile
import zlib

import openpyxl
import pandas as pd
import pytest

import journeylib as jl
from journeylib import read
from journeylib.columns import guess_mapping
from journeylib.errors import DataError
from journeylib.i18n import say
from tests.apptest import open_page, widget

CSV = (
    "customer_id,timestamp,stage,channel,region\n"
    "c1,2026-03-01 10:00,Awareness,search,Mazowieckie\n"
    "c1,2026-03-02 11:00,Purchase,web,Mazowieckie\n"
    "c2,2026-03-03 09:00,Awareness,email,Śląskie\n"
).encode()
OTHER_CSV = CSV.replace(b"c1,", b"q1,").replace(b"c2,", b"q2,")


def _named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx(rows: list[list[object]], sheets: dict[str, list[list[object]]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Data"
    for row in rows:
        book.active.append(row)
    for title, more in (sheets or {}).items():
        sheet = book.create_sheet(title)
        for row in more:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _refused(code: str, call, *args, **kwargs) -> DataError:
    with pytest.raises(DataError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, str(caught.value)
    return caught.value


def _peak_bytes(call) -> int:
    """The peak of Python allocations while ``call`` runs (its DataError is expected)."""
    tracemalloc.start()
    try:
        call()
    except DataError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def _zeros_gzip(size: int, *, stated: int | None = None) -> bytes:
    """A gzip of ``size`` zero bytes, made a chunk at a time; ``stated`` forges its trailer."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as stream:
        stream.write(b"customer_id,timestamp\n")
        chunk = b"0" * 2**20
        for _ in range(size // len(chunk)):
            stream.write(chunk)
    data = out.getvalue()
    if stated is not None:
        data = data[:-4] + stated.to_bytes(4, "little")
    return data


# ---------------------------------------------------------------------------- .gz


def test_a_csv_gz_loads_like_the_csv_inside() -> None:
    plain = jl.load(_named(CSV, "orders.csv"))
    packed = jl.load(_named(gzip.compress(CSV), "orders.csv.gz"))
    assert packed.n_rows == plain.n_rows == 3
    assert packed.report.format == "csv"
    raw = jl.read_table(_named(gzip.compress(CSV), "orders.csv.gz"))
    assert (raw.name, raw.compression) == ("orders.csv", "gzip")


def test_a_gz_without_an_inner_name_is_sniffed() -> None:
    workbook = _xlsx([["customer_id", "timestamp", "stage"], ["c1", "2026-03-01", "Awareness"]])
    assert jl.read_table(_named(gzip.compress(workbook), "export.gz")).format == "xlsx"
    parquet = io.BytesIO()
    pd.DataFrame({"customer_id": ["c1"], "timestamp": ["2026-03-01"]}).to_parquet(parquet)
    assert jl.read_table(gzip.compress(parquet.getvalue())).format == "parquet"
    assert jl.read_table(_named(gzip.compress(CSV), "export.gz")).format == "csv"


def test_a_damaged_gz_is_named_damaged() -> None:
    _refused("errors.archive_damaged", jl.read_table,
             _named(gzip.compress(CSV)[:-12], "orders.csv.gz"))


def test_a_gz_that_states_it_is_too_big_is_refused_without_unpacking() -> None:
    bomb = _zeros_gzip(16 * 2**20)
    assert len(bomb) < 100_000
    error = _refused("errors.unpacked_too_large", jl.read_table, _named(bomb, "b.csv.gz"),
                     max_bytes=2**20)
    assert "b.csv.gz unpacks to 16 MB; files up to 1 MB (unpacked) can be loaded" in str(error)
    peak = _peak_bytes(lambda: jl.read_table(_named(bomb, "b.csv.gz"), max_bytes=2**20))
    assert peak < 2**20  # far less than one unpacked MB


def test_a_gz_with_a_forged_size_is_refused_while_unpacking_with_bounded_memory() -> None:
    bomb = _zeros_gzip(64 * 2**20, stated=100)
    error = _refused("errors.unpacked_over_limit", jl.read_table, _named(bomb, "b.csv.gz"),
                     max_bytes=2 * 2**20)
    assert error.params["limit_bytes"] == 2 * 2**20
    assert "more than 2 MB" in str(error)
    peak = _peak_bytes(lambda: jl.read_table(_named(bomb, "b.csv.gz"), max_bytes=2 * 2**20))
    assert peak < 8 * 2**20  # the cap and a chunk, not the 64 MB inside


# ---------------------------------------------------------------------------- .zip


def test_a_zip_with_one_table_loads_directly() -> None:
    archive = _zip({"export/orders.csv": CSV, "__MACOSX/export/._orders.csv": b"\0\1",
                    "readme.md": b"# export"})
    ds = jl.load(_named(archive, "export.zip"))
    assert ds.n_rows == 3
    raw = jl.read_table(_named(archive, "export.zip"))
    assert (raw.compression, raw.member, raw.members) == ("zip", "export/orders.csv",
                                                          ["export/orders.csv"])


def test_a_zip_with_several_tables_lists_them_and_reads_the_chosen_one() -> None:
    workbook = _xlsx([["customer_id", "timestamp", "stage"], ["x1", "2026-03-01", "Awareness"]])
    archive = _named(_zip({"orders.csv": CSV, "payments.csv": OTHER_CSV, "book.xlsx": workbook}),
                     "shop.zip")
    assert jl.list_members(archive) == ["orders.csv", "payments.csv", "book.xlsx"]
    first = jl.read_table(archive)
    assert (first.member, first.frame["customer_id"].iloc[0]) == ("orders.csv", "c1")
    assert jl.read_table(archive, member="payments.csv").frame["customer_id"].iloc[0] == "q1"
    assert jl.read_table(archive, member="book.xlsx").format == "xlsx"
    assert jl.load(archive, mapping=None).n_rows == 3
    error = _refused("errors.zip_no_member", jl.read_table, archive, member="refunds.csv")
    assert error.params["members"] == ["orders.csv", "payments.csv", "book.xlsx"]
    assert jl.list_members(_named(CSV, "orders.csv")) == []


def test_a_zip_without_tables_or_damaged_or_nested_is_refused_by_name() -> None:
    _refused("errors.zip_no_table", jl.read_table, _named(_zip({"a.pdf": b"%PDF"}), "a.zip"))
    _refused("errors.archive_damaged", jl.read_table, _named(b"PK\x03\x04junk" * 20, "x.zip"))
    inner = _named(_zip({"orders.csv.gz": gzip.compress(CSV)}), "x.zip")
    _refused("errors.zip_no_table", jl.read_table, inner)
    _refused("errors.nested_archive", jl.read_table,
             _named(gzip.compress(_zip({"orders.csv": CSV})), "x.zip.gz"))


def test_a_zip_bomb_is_refused_from_the_directory_cheaply() -> None:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("orders.csv", "w") as member,
    ):
        member.write(b"customer_id,timestamp\n")
        for _ in range(64):
            member.write(b"0" * 2**20)
    bomb = buffer.getvalue()
    assert len(bomb) < 200_000
    error = _refused("errors.unpacked_too_large", jl.read_table, _named(bomb, "b.zip"),
                     max_bytes=2**20)
    assert "b.zip/orders.csv unpacks to 64 MB; files up to 1 MB (unpacked)" in str(error)
    assert _peak_bytes(lambda: jl.read_table(_named(bomb, "b.zip"), max_bytes=2**20)) < 2**20


def test_a_zip_member_that_lies_about_its_size_is_not_unpacked_past_it() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("orders.csv", CSV + b"c3,2026-03-04,Awareness,web,X\n" * 200_000)
    data = bytearray(buffer.getvalue())
    # Forge the member's stated size in the central directory (its offset 24).
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 24:directory + 28] = (1000).to_bytes(4, "little")
    _refused("errors.archive_damaged", jl.read_table, _named(bytes(data), "lie.zip"))


# ---------------------------------------------------------------------------- rows and cells


def _parquet(rows: int) -> bytes:
    buffer = io.BytesIO()
    frame = pd.DataFrame({"customer_id": [f"c{i % 50}" for i in range(rows)],
                          "timestamp": pd.Timestamp("2026-03-01"), "stage": "Awareness"})
    frame.to_parquet(buffer)
    return buffer.getvalue()


def test_a_parquet_with_too_many_rows_is_refused_from_its_metadata(monkeypatch) -> None:
    data = _parquet(5000)
    monkeypatch.setattr(read, "MAX_ROWS", 1000)
    monkeypatch.setattr(read, "duckdb_reader", _never("the rows"))
    error = _refused("errors.too_many_rows", jl.read_table, _named(data, "big.parquet"))
    assert error.params == {"name": "big.parquet", "rows": 5000, "limit": 1000}
    assert "big.parquet has 5,000 rows; up to 1,000 rows can be loaded" in str(error)


def test_a_parquet_with_too_many_cells_is_refused_from_its_metadata(monkeypatch) -> None:
    data = _parquet(5000)
    monkeypatch.setattr(read, "MAX_CELLS", 10_000)
    monkeypatch.setattr(read, "duckdb_reader", _never("the rows"))
    error = _refused("errors.too_many_cells", jl.read_table, _named(data, "wide.parquet"))
    assert (error.params["cells"], error.params["columns"]) == (15_000, 3)


def test_a_parquet_that_unpacks_too_far_is_refused_from_its_metadata(monkeypatch) -> None:
    data = _parquet(20_000)
    monkeypatch.setattr(read, "duckdb_reader", _never("the rows"))
    _refused("errors.unpacked_too_large", jl.read_table, _named(data, "p.parquet"),
             max_bytes=len(data) + 10)


def test_a_csv_over_the_row_or_cell_limit_is_refused_before_it_is_split(monkeypatch) -> None:
    data = CSV + b"c9,2026-03-05,Awareness,web,X\n" * 2000
    monkeypatch.setattr(read, "MAX_ROWS", 1000)
    monkeypatch.setattr(read, "duckdb_reader", _never("the file"))
    monkeypatch.setattr(read, "_split_records", _never("the file"))
    error = _refused("errors.too_many_rows", jl.read_table, _named(data, "big.csv"))
    assert error.params["rows"] == 2003
    monkeypatch.setattr(read, "MAX_ROWS", 10_000)
    monkeypatch.setattr(read, "MAX_CELLS", 5000)
    error = _refused("errors.too_many_cells", jl.read_table, _named(data, "big.csv"))
    assert (error.params["rows"], error.params["columns"]) == (2003, 5)


def _never(what: str):
    def fail(*args, **kwargs):
        raise AssertionError(f"{what} should not have been read")

    return fail


# ---------------------------------------------------------------------------- xlsx


def test_a_huge_sheet_is_refused_from_the_zip_directory(monkeypatch) -> None:
    rows = [["customer_id", "timestamp", "stage"]] + [
        [f"c{i}", "2026-03-01 10:00", "Awareness"] for i in range(3000)
    ]
    small = [["customer_id", "timestamp", "stage"], ["s1", "2026-03-01", "Awareness"]]
    workbook = _xlsx(small, {"Big": rows})
    monkeypatch.setattr(read, "MAX_SHEET_XML_BYTES", 50_000)
    assert jl.read_table(_named(workbook, "w.xlsx"), sheet="Data").frame.shape == (1, 3)
    monkeypatch.setattr(read.pd, "read_excel", _never("the big sheet"))
    error = _refused("errors.sheet_too_large", jl.read_table, _named(workbook, "w.xlsx"),
                     sheet="Big")
    assert error.params["sheet"] == "Big"
    assert error.params["limit_bytes"] == 50_000
    assert error.params["size_bytes"] > 50_000


def test_a_sheet_whose_dimension_is_over_the_row_limit_is_refused_before_reading(
    monkeypatch,
) -> None:
    rows = [["customer_id", "timestamp", "stage"]] + [
        [f"c{i}", "2026-03-01", "Awareness"] for i in range(500)
    ]
    workbook = _xlsx(rows)
    monkeypatch.setattr(read, "MAX_ROWS", 100)
    monkeypatch.setattr(read.pd, "read_excel", _never("the sheet"))
    error = _refused("errors.too_many_rows", jl.read_table, _named(workbook, "w.xlsx"))
    assert error.params["rows"] == 501


def _damaged_sheet_workbook() -> bytes:
    good = zipfile.ZipFile(io.BytesIO(_xlsx([["customer_id", "timestamp"], ["c1", "2026"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in good.namelist():
            data = good.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            archive.writestr(name, data)
    return out.getvalue()


def test_a_broken_xlsx_gets_a_sentence_in_each_language() -> None:
    error = _refused("errors.excel_sheet_damaged", jl.read_table,
                     _named(_damaged_sheet_workbook(), "broken.xlsx"))
    assert error.params == {"name": "broken.xlsx", "sheet": "Data"}
    assert "Sheet 'Data' of broken.xlsx is damaged" in error.words("en")
    assert "повреждён" in error.words("ru")
    assert "uszkodzony" in error.words("pl")
    not_a_zip = _refused("errors.damaged_excel", jl.read_table,
                         _named(b"PK\x03\x04" + b"\x00" * 300, "export.xlsx"))
    assert "export.xlsx" in not_a_zip.words("pl")


# ---------------------------------------------------------------------------- csv field limit


LONG = "x" * (read.MAX_FIELD_CHARS + 10)


@pytest.mark.parametrize(
    ("text", "row"),
    [
        # on the first line: found while guessing the delimiter
        (f'customer_id,timestamp,note\nc1,2026-03-01,"{LONG}"\n', 2),
        # below the rows scanned for a header: found by the fast reader
        ("customer_id,timestamp,stage\n" + "c1,2026-03-01,A\n" * 40 + f'c2,2026-03-02,"{LONG}"\n',
         42),
        # an unclosed quote swallowing the rest of a ragged file: found by the csv module
        ("customer_id,timestamp,stage\n" + "c1,2026-03-01,A\n" * 40 + "c1,2026-03-01,A,extra\n"
         + 'c2,2026-03-02,"oops\n' + ("c3,2026-03-03,B\n" * 9000), 43),
    ],
)
def test_a_field_over_the_limit_is_refused_with_its_row(text: str, row: int) -> None:
    before = csv.field_size_limit()
    error = _refused("errors.field_too_large", jl.read_table, _named(text.encode(), "f.csv"))
    assert error.params == {"name": "f.csv", "row": row, "limit": read.MAX_FIELD_CHARS}
    assert f"Row {row} of f.csv has a cell longer than 131,072 characters" in str(error)
    assert csv.field_size_limit() == before  # the module's setting is left as it was


def test_a_long_field_under_the_limit_is_read() -> None:
    text = f'customer_id,timestamp,note\nc1,2026-03-01,"{"y" * 100_000}"\nc2,2026-03-02,z\n'
    raw = jl.read_table(_named(text.encode(), "ok.csv"))
    assert len(raw.frame["note"].iloc[0]) == 100_000


# ---------------------------------------------------------------------------- years


def test_two_and_three_digit_years_are_refused_with_count_and_example() -> None:
    text = (
        b"customer_id;timestamp;stage\n"
        b"c1;01.03.2026;Awareness\n"
        b"c1;01.01.0099;Purchase\n"
        b"c2;16.03.26;Awareness\n"
        b"c3;1.3.123;Awareness\n"
        b"c4;0099-01-01;Awareness\n"
        b"c5;02.03.2026;Purchase\n"
    )
    ds = jl.load(_named(text, "years.csv"))
    assert ds.n_rows == 2 and ds.n_rejected == 4
    years = ds.table.to_pandas()["timestamp"].dt.year
    assert set(years) == {2026}  # never 2099
    warning = next(say(w, "en") for w in ds.report.warnings
                   if w.code == "load.warning.short_years")
    assert "two or three digits" in warning
    assert "4 values of 'timestamp'" in warning
    assert "'01.01.0099'" in warning
    assert sorted(ds.rejected["row"]) == [3, 4, 5, 6]


def test_a_file_of_short_years_only_is_refused_as_a_whole() -> None:
    text = b"customer_id,timestamp,stage\nc1,01.01.99,A\nc2,02.01.99,B\n"
    with pytest.raises(DataError, match="None of the 2 rows can be used"):
        jl.load(_named(text, "old.csv"))


# ---------------------------------------------------------------------------- segments


@pytest.mark.parametrize(
    "column",
    ["region", "State", "customer_state", "city", "Województwo", "wojewodztwo", "Регион",
     "город", "Miasto", "Область", "Country"],
)
def test_geographic_columns_are_the_segment(column: str) -> None:
    frame = pd.DataFrame(columns=["customer_id", "timestamp", "stage", column])
    assert guess_mapping(frame)[0].get("segment") == column


def test_a_region_wins_over_a_city_and_order_status_is_no_segment() -> None:
    frame = pd.DataFrame(columns=["customer_id", "timestamp", "customer_city", "customer_state",
                                  "order_status"])
    assert guess_mapping(frame)[0]["segment"] == "customer_state"
    frame = pd.DataFrame(columns=["customer_id", "timestamp", "order_status"])
    assert "segment" not in guess_mapping(frame)[0]


# ---------------------------------------------------------------------------- codes and words


def test_every_refusal_is_worded_in_each_language() -> None:
    cases = [
        ("errors.too_many_rows", {"name": "a.csv", "rows": 4_000_000, "limit": 3_000_000}),
        ("errors.too_many_cells", {"name": "a.csv", "rows": 10, "columns": 5, "cells": 50,
                                   "limit": 40}),
        ("errors.unpacked_too_large", {"name": "a.gz", "size_bytes": 3 * 2**30,
                                       "limit_bytes": 500 * 2**20}),
        ("errors.unpacked_over_limit", {"name": "a.gz", "limit_bytes": 500 * 2**20}),
        ("errors.sheet_too_large", {"name": "a.xlsx", "sheet": "S", "size_bytes": 2**29,
                                    "limit_bytes": 2**28}),
        ("errors.strings_too_large", {"name": "a.xlsx", "size_bytes": 2**29,
                                      "limit_bytes": 2**28}),
        ("errors.field_too_large", {"name": "a.csv", "row": 7, "limit": 131_072}),
        ("errors.excel_sheet_damaged", {"name": "a.xlsx", "sheet": "S"}),
        ("errors.archive_damaged", {"name": "a.zip"}),
        ("errors.nested_archive", {"name": "a.zip"}),
        ("errors.tar_archive", {"name": "a.tar.gz"}),
        ("errors.zip_no_table", {"name": "a.zip", "members": ["x.pdf"]}),
        ("errors.zip_no_member", {"name": "a.zip", "member": "b.csv", "members": ["c.csv"]}),
        ("errors.zip_encrypted", {"name": "a.zip", "member": "c.csv"}),
    ]
    for code, params in cases:
        error = DataError(code=code, params=params)
        words = {lang: error.words(lang) for lang in ("en", "ru", "pl")}
        assert len(set(words.values())) == 3, code
        for text in words.values():
            assert "{" not in text and "a." in text, (code, text)
    sized = DataError(code="errors.unpacked_over_limit", params={"name": "a.gz",
                                                                 "limit_bytes": 500 * 2**20})
    assert "500 МБ" in sized.words("ru")


def test_a_tar_gz_is_refused_by_name() -> None:
    buffer = io.BytesIO()
    import tarfile

    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("orders.csv")
        info.size = len(CSV)
        archive.addfile(info, io.BytesIO(CSV))
    _refused("errors.tar_archive", jl.read_table, _named(buffer.getvalue(), "orders.tar.gz"))


def test_deflate_ratio_bound_holds_for_zeros() -> None:
    # The gzip trailer is trusted only within deflate's best ratio; zeros reach it.
    data = zlib.compress(b"\0" * 2**24, 9)
    assert 2**24 / len(data) < read._MAX_DEFLATE_RATIO


# ---------------------------------------------------------------------------- the Data page


def test_the_data_page_lets_the_user_pick_a_table_of_a_zip() -> None:
    at = open_page("data")
    archive = _zip({"orders.csv": CSV, "payments.csv": OTHER_CSV})
    at.file_uploader[0].set_value(("shop.zip", archive, "application/zip")).run()
    assert not at.exception and not at.main.error
    picker = widget(at.selectbox, label="Table in the archive")
    assert picker.options == ["orders.csv", "payments.csv"]
    preview = at.dataframe[0].value
    assert set(preview["customer_id"]) == {"c1", "c2"}
    picker.set_value("payments.csv").run()
    assert not at.exception and not at.main.error
    assert set(at.dataframe[0].value["customer_id"]) == {"q1", "q2"}


def test_the_data_page_words_a_refused_archive_without_a_traceback() -> None:
    at = open_page("data", lang="pl")
    at.file_uploader[0].set_value(("a.zip", _zip({"a.pdf": b"%PDF"}), "application/zip")).run()
    assert not at.exception
    assert "nie zawiera pliku CSV, Excel ani Parquet" in at.main.error[0].value
