"""Finding the table in a file: format, encoding, delimiter, sheet, header row, bad files."""

from __future__ import annotations

import codecs
import io
import zipfile

import pandas as pd
import pytest

import journeylib as jl
from journeylib.i18n import say
from journeylib.load import reason_text
from journeylib.read import decode, find_header_row, sniff_delimiter, unique_names

UTF8_SAMPLE = (
    "Customer ID,Date,Stage\nc1,2026-03-01 10:00,Awareness\nc2,2026-03-02 11:30,Purchase\n"
)


def _named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


# ---------------------------------------------------------------------------- sources


def test_path_bytes_file_object_and_frame_give_the_same_table(write_file) -> None:
    data = UTF8_SAMPLE.encode()
    path = write_file("journeys.csv", data)
    from_path = jl.read_table(path)
    from_str_path = jl.read_table(str(path))
    from_bytes = jl.read_table(data)
    from_handle = jl.read_table(_named(data, "upload.csv"))
    from_frame = jl.read_table(pd.read_csv(io.BytesIO(data), dtype=str))
    assert from_path.name == "journeys.csv"
    assert from_str_path.name == "journeys.csv"
    assert from_bytes.name == "data"
    assert from_handle.name == "upload.csv"
    assert from_frame.format == "dataframe"
    for raw in (from_path, from_str_path, from_bytes, from_handle, from_frame):
        assert list(raw.frame.columns) == ["Customer ID", "Date", "Stage"]
        assert raw.frame["Customer ID"].tolist() == ["c1", "c2"]
        assert raw.frame["Date"].tolist() == ["2026-03-01 10:00", "2026-03-02 11:30"]
        assert raw.rows.tolist() == [2, 3]


def test_text_mode_file_object_is_read() -> None:
    handle = io.StringIO(UTF8_SAMPLE)
    handle.name = "notes.txt"
    raw = jl.read_table(handle)
    assert raw.name == "notes.txt"
    assert raw.frame["Stage"].tolist() == ["Awareness", "Purchase"]


def test_missing_path_and_unsupported_source_raise_data_error(tmp_path) -> None:
    with pytest.raises(jl.DataError, match="File not found"):
        jl.read_table(tmp_path / "nope.csv")
    with pytest.raises(jl.DataError, match="Cannot read a int"):
        jl.read_table(42)


# ---------------------------------------------------------------------------- encodings


def test_decode_detects_each_encoding() -> None:
    russian = "Клиент;Дата;Этап\nИван;01.03.2026;Покупка\n"
    polish = "Klient;Data;Etap;Kanał\nk1;01.03.2026;Świadomość;Strona główna\n"
    assert decode(russian.encode("utf-8")) == (russian, "UTF-8")
    assert decode(codecs.BOM_UTF8 + russian.encode("utf-8")) == (russian, "UTF-8-BOM")
    assert decode(russian.encode("cp1251")) == (russian, "cp1251")
    assert decode(polish.encode("cp1250")) == (polish, "cp1250")
    assert decode(polish.encode("utf-16")) == (polish, "UTF-16")
    assert decode(codecs.BOM_UTF16_BE + polish.encode("utf-16-be")) == (polish, "UTF-16")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Klient;Kanał;Przychód\nk1;Strona główna;12,5\n", "cp1250"),
        ("Klient;Etap\nk1;Świadomość\nk2;Lojalność\n", "cp1250"),
        ("Klient;Punkt styku\nk1;Płatność kartą\nk2;Rozważanie zakupu\n", "cp1250"),
        ("Klient;Miasto\nk1;Łódź\nk2;Kraków\nk3;Gdańsk\n", "cp1250"),
        ("Клиент;Дата\nИван;01.03.2026\n", "cp1251"),
        ("Клиент;Этап\nc1;Знакомство\nc2;Покупка\n", "cp1251"),
        ("Клиент;Дата;Этап\n" + "customer-1;2026-03-01;Awareness\n" * 5, "cp1251"),
    ],
)
def test_decode_tells_cp1250_from_cp1251(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding)) == (text, encoding)


def test_utf8_bom_csv_header_is_clean() -> None:
    data = codecs.BOM_UTF8 + "Customer ID,Дата,Stage\nc1,2026-03-01,Awareness\n".encode()
    ds = jl.load(data)
    assert ds.report.encoding == "UTF-8-BOM"
    assert ds.report.source_columns == ["Customer ID", "Дата", "Stage"]
    assert ds.mapping == {"customer_id": "Customer ID", "timestamp": "Дата", "stage": "Stage"}
    assert ds.n_rows == 1


def test_cp1250_polish_csv(write_file) -> None:
    text = (
        "Klient;Data;Etap;Kanał;Punkt styku;Ocena;Przychód\n"
        "k1;01.03.2026 10:00;Świadomość;Strona;Reklama w wyszukiwarce;4;\n"
        "k1;05.03.2026 16:45;Zakup;Sklep stacjonarny;Płatność kartą;5;1 299,99\n"
        "k2;02.03.2026 08:15;Świadomość;Poczta;Wiadomość e-mail;2;\n"
        "k2;04.03.2026 12:00;Rozważanie;Telefon;Rozmowa z doradcą;1;\n"
        "k3;06.03.2026;Zakup;Strona;Koszyk, dostawa żółtym kurierem;3;49,5\n"
    )
    path = write_file("ścieżki.csv", text.encode("cp1250"))
    ds = jl.load(path)
    report = ds.report
    assert (report.encoding, report.delimiter, report.decimal) == ("cp1250", ";", ",")
    assert report.source_columns == [
        "Klient", "Data", "Etap", "Kanał", "Punkt styku", "Ocena", "Przychód",
    ]
    frame = ds.table.order_by("source_row").to_pandas()
    assert frame["channel"].tolist() == [
        "Strona", "Sklep stacjonarny", "Poczta", "Telefon", "Strona",
    ]
    assert frame["touchpoint"].tolist()[4] == "Koszyk, dostawa żółtym kurierem"
    assert frame["stage"].tolist() == ["Świadomość", "Zakup", "Świadomość", "Rozważanie", "Zakup"]
    assert frame["revenue"].tolist()[1] == 1299.99
    assert frame["revenue"].tolist()[4] == 49.5
    assert frame["timestamp"].tolist()[1] == pd.Timestamp("2026-03-05 16:45", tz="UTC")
    assert (ds.n_rows, ds.n_rejected) == (5, 0)


def test_cp1251_russian_headers_with_latin_values() -> None:
    """A CRM export: Russian header, ids/channels in Latin letters, saved in cp1251."""
    text = "Клиент;Дата;Этап;Канал\n" + "".join(
        f"customer-{i};2026-03-0{i + 1} 10:00;Awareness;Website\n" for i in range(5)
    )
    raw = jl.read_table(text.encode("cp1251"))
    assert raw.encoding == "cp1251"
    assert list(raw.frame.columns) == ["Клиент", "Дата", "Этап", "Канал"]
    ds = jl.load(text.encode("cp1251"))
    assert ds.mapping == {
        "customer_id": "Клиент", "timestamp": "Дата", "stage": "Этап", "channel": "Канал",
    }
    assert ds.n_rows == 5


def test_utf16_unicode_text_export_from_excel() -> None:
    """Excel's "Unicode text" is UTF-16 LE with a BOM and tab separated."""
    text = (
        "Клиент\tДата\tЭтап\tЭмоция\r\n"
        "c1\t01.03.2026 10:00\tЗнакомство\tрадость\r\n"
        "c2\t02.03.2026 11:00\tПокупка\tгнев\r\n"
    )
    ds = jl.load(_named(text.encode("utf-16"), "export.txt"))
    assert (ds.report.encoding, ds.report.delimiter) == ("UTF-16", "\t")
    frame = ds.table.order_by("source_row").to_pandas()
    assert frame["customer_id"].tolist() == ["c1", "c2"]
    assert frame["stage"].tolist() == ["Знакомство", "Покупка"]
    assert frame["valence"].tolist() == [1.0, -1.0]
    assert frame["timestamp"].tolist() == [
        pd.Timestamp("2026-03-01 10:00", tz="UTC"), pd.Timestamp("2026-03-02 11:00", tz="UTC"),
    ]


# ---------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize(
    ("name", "delimiter"),
    [("a.csv", ","), ("b.csv", ";"), ("c.tsv", "\t"), ("d.txt", "|"), ("e.tab", "\t")],
)
def test_delimiters_are_detected(name: str, delimiter: str) -> None:
    rows = [
        ["Customer ID", "Date", "Stage", "Channel"],
        ["c1", "2026-03-01 10:00", "Awareness", "Web"],
        ["c1", "2026-03-02 10:00", "Purchase", "Shop"],
        ["c2", "2026-03-03 10:00", "Awareness", "E-mail"],
    ]
    data = "\n".join(delimiter.join(r) for r in rows).encode()
    ds = jl.load(_named(data, name))
    assert ds.report.delimiter == delimiter
    assert ds.report.source_columns == rows[0]
    frame = ds.table.order_by("source_row").to_pandas()
    assert frame["channel"].tolist() == ["Web", "Shop", "E-mail"]
    assert frame["source_row"].tolist() == [2, 3, 4]


def test_quoted_cells_holding_other_delimiters() -> None:
    data = (
        b'Customer ID;Date;Stage;Note\n'
        b'c1;2026-03-01;Awareness;"said: a, b, c"\n'
        b'c2;2026-03-02;Purchase;"x; y"\n'
        b'c3;2026-03-03;Purchase;plain\n'
    )
    ds = jl.load(data)
    assert ds.report.delimiter == ";"
    notes = ds.table.order_by("source_row").to_pandas()["note"].tolist()
    assert notes == ["said: a, b, c", "x; y", "plain"]


def test_sniff_delimiter_prefers_consistent_split() -> None:
    lines = ["a;b;c", "1,5;2,5;3", "4,0;5,5;6"]
    assert sniff_delimiter(lines) == ";"
    with pytest.raises(jl.DataError, match="only one column"):
        sniff_delimiter(["customer", "c1", "c2"])
    with pytest.raises(jl.DataError, match="holds no rows"):
        sniff_delimiter(["", "   "])


# ---------------------------------------------------------------------------- header, names


def test_find_header_row_skips_titles_and_data() -> None:
    rows = [
        ["Report for March 2026", None, None],
        [None, None, None],
        ["Customer", "Date", "Stage"],
        ["c1", "01.03.2026", "Awareness"],
    ]
    assert find_header_row(rows) == 2
    assert find_header_row([["c1", "2026-03-01", "12,5"], ["c2", "2026-03-02", "3"]]) == -1
    assert find_header_row([]) == -1


def test_csv_title_rows_are_skipped_and_counted() -> None:
    text = (
        "Отчёт по клиентам\n"
        "Выгрузка от 01.04.2026\n"
        "\n"
        "Клиент,Дата,Этап\n"
        "c1,2026-03-01,Знакомство\n"
        "c2,2026-03-02,Покупка\n"
    )
    raw = jl.read_table(text.encode())
    assert (raw.header_row, raw.title_rows) == (4, 3)
    assert list(raw.frame.columns) == ["Клиент", "Дата", "Этап"]
    assert raw.rows.tolist() == [5, 6]


def test_file_without_header_gets_numbered_columns() -> None:
    raw = jl.read_table(b"c1,2026-03-01,5\nc2,2026-03-02,4\n")
    assert list(raw.frame.columns) == ["column_1", "column_2", "column_3"]
    assert raw.header_row == 0
    assert raw.rows.tolist() == [1, 2]
    assert any("No header row found" in say(w) for w in raw.warnings)


def test_duplicate_column_names_are_made_unique() -> None:
    names, notes = unique_names(["Date", "Date", "", "Date"])
    assert (names, [say(n) for n in notes]) == (
        ["Date", "Date (2)", "column_3", "Date (3)"],
        [
            "Column name 'Date' appears more than once; the later one is called 'Date (2)'.",
            "Column name 'Date' appears more than once; the later one is called 'Date (3)'.",
        ],
    )
    data = b"Customer ID,Date,Date,Stage\nc1,2026-03-01,2026-04-01,A\nc1,2026-03-02,2026-04-02,B\n"
    ds = jl.load(data)
    assert ds.report.source_columns == ["Customer ID", "Date", "Date (2)", "Stage"]
    assert ds.mapping["timestamp"] == "Date"
    assert [say(w) for w in ds.report.warnings] == [
        "Column name 'Date' appears more than once; the later one is called 'Date (2)'."
    ]
    later = jl.load(data, mapping={"timestamp": "Date (2)"})
    stamps = later.table.order_by("source_row").to_pandas()["timestamp"].tolist()
    assert stamps == [pd.Timestamp("2026-04-01", tz="UTC"), pd.Timestamp("2026-04-02", tz="UTC")]


def test_trailing_separator_on_data_rows_only() -> None:
    """Some exporters end every data row with a separator but not the header."""
    data = b"Customer ID;Date;Stage\nc1;2026-03-01;A;\nc2;2026-03-02;B;\n"
    ds = jl.load(data)
    assert ds.report.source_columns == ["Customer ID", "Date", "Stage"]
    frame = ds.table.order_by("source_row").to_pandas()
    assert frame["customer_id"].tolist() == ["c1", "c2"]
    assert frame["stage"].tolist() == ["A", "B"]
    assert (ds.n_rows, ds.n_rejected) == (2, 0)


def test_trailing_separators_do_not_make_columns_or_rejections() -> None:
    data = b"Customer ID;Date;Stage;\nc1;2026-03-01;A;\nc2;2026-03-02;B;;\n"
    ds = jl.load(data)
    assert ds.report.source_columns == ["Customer ID", "Date", "Stage"]
    assert (ds.n_rows, ds.n_rejected) == (2, 0)


# ---------------------------------------------------------------------------- too many cells


def test_wide_row_in_the_middle_is_rejected_with_its_row_number() -> None:
    data = b"Customer ID,Date,Stage\nc1,2026-03-01,A\nc1,2026-03-02,B,EXTRA\nc2,2026-03-03,A\n"
    ds = jl.load(data)
    assert ds.table.order_by("source_row").to_pandas()["source_row"].tolist() == [2, 4]
    assert ds.rejected[["row", "reason"]].to_dict("records") == [{
        "row": 3,
        "reason": "wide_row",
    }]
    assert reason_text("wide_row") == (
        "row has more cells than the header; check for a stray separator or an unquoted text cell"
    )
    assert ds.rejected.loc[0, ["Customer ID", "Date", "Stage"]].tolist() == [
        "c1", "2026-03-02", "B",
    ]


def test_wide_first_data_row_is_rejected_not_shifting_columns() -> None:
    data = b"Customer ID,Date,Stage\nc1,2026-03-01,A,EXTRA\nc1,2026-03-02,B\nc2,2026-03-03,A\n"
    ds = jl.load(data)
    frame = ds.table.order_by("source_row").to_pandas()
    assert frame["customer_id"].tolist() == ["c1", "c2"]
    assert frame["source_row"].tolist() == [3, 4]
    assert frame["stage"].tolist() == ["B", "A"]
    assert ds.rejected["row"].tolist() == [2]
    assert ds.rejected["reason"].tolist() == ["wide_row"]


# ---------------------------------------------------------------------------- Excel


def _polish_book(xlsx_bytes) -> bytes:
    return xlsx_bytes({
        "Pusty": [],
        "Dane": [["Klient", "Data", "Etap"], ["k1", "2026-03-01", "Zakup"]],
        "Inne": [["Klient", "Data", "Etap"], ["k9", "2026-04-01", "Zakup"],
                 ["k8", "2026-04-02", "Zakup"]],
    })


def test_excel_first_sheet_with_data_is_default(xlsx_bytes) -> None:
    raw = jl.read_table(_named(_polish_book(xlsx_bytes), "book.xlsx"))
    assert (raw.format, raw.sheet, raw.sheets) == ("xlsx", "Dane", ["Pusty", "Dane", "Inne"])
    assert raw.frame["Klient"].tolist() == ["k1"]


@pytest.mark.parametrize("sheet", ["Inne", 2])
def test_excel_sheet_by_name_or_index(xlsx_bytes, sheet) -> None:
    raw = jl.read_table(_polish_book(xlsx_bytes), sheet=sheet)
    assert raw.sheet == "Inne"
    assert raw.frame["Klient"].tolist() == ["k9", "k8"]
    assert raw.rows.tolist() == [2, 3]


def test_excel_unknown_sheet_raises(xlsx_bytes) -> None:
    book = _named(_polish_book(xlsx_bytes), "book.xlsx")
    with pytest.raises(jl.DataError, match=r"no sheet 'Nope'; its sheets are: Pusty, Dane, Inne"):
        jl.read_table(book, sheet="Nope")
    with pytest.raises(jl.DataError, match="has 3 sheets; there is no sheet number 4"):
        jl.read_table(book, sheet=3)


def test_excel_zero_row_sheet_and_empty_sheet(xlsx_bytes) -> None:
    book = xlsx_bytes({
        "Naglowek": [["Klient", "Data", "Etap"]],
        "Pusty": [],
    })
    with pytest.raises(jl.DataError, match=r"Sheet 'Naglowek' of .* has a header but no data rows"):
        jl.load(book)
    with pytest.raises(jl.DataError, match=r"Sheet 'Pusty' of book\.xlsx is empty; choose another"):
        jl.load(_named(book, "book.xlsx"), sheet="Pusty")


def test_all_empty_workbook(xlsx_bytes, write_file) -> None:
    path = write_file("empty.xlsx", xlsx_bytes({"Arkusz1": [], "Arkusz2": []}))
    with pytest.raises(jl.DataError, match=r"empty.xlsx has no data: every sheet \(Arkusz1, "
                                           r"Arkusz2\) is empty"):
        jl.load(path)


# ---------------------------------------------------------------------------- unusable files


def test_empty_file(write_file) -> None:
    with pytest.raises(jl.DataError, match=r"journeys.csv is empty \(0 bytes\)"):
        jl.load(write_file("journeys.csv", b""))
    with pytest.raises(jl.DataError, match=r"is empty \(0 bytes\)"):
        jl.load(b"")


def test_whitespace_only_file() -> None:
    with pytest.raises(jl.DataError, match="holds no rows"):
        jl.load(b"\n \n\t\n")


def test_header_only_csv() -> None:
    with pytest.raises(jl.DataError, match="has a header but no data rows"):
        jl.load(_named(b"Customer ID,Date,Stage\n\n", "h.csv"))


def test_binary_junk() -> None:
    junk = bytes(range(256)) * 8
    with pytest.raises(jl.DataError, match="contains binary data"):
        jl.load(_named(junk, "junk.csv"))


def test_single_column_file() -> None:
    with pytest.raises(jl.DataError, match="has only one column"):
        jl.load(_named(b"Customer ID\nc1\nc2\nc3\n", "ids.csv"))


def test_file_over_the_size_limit(write_file) -> None:
    data = UTF8_SAMPLE.encode()
    path = write_file("big.csv", data)
    for source in (path, data, _named(data, "big.csv")):
        with pytest.raises(jl.DataError, match=r"files up to .* MB can be loaded"):
            jl.load(source, max_bytes=len(data) - 1)
    assert jl.load(path, max_bytes=len(data)).n_rows == 2


def test_xlsx_name_without_excel_content(write_file) -> None:
    path = write_file("report.xlsx", UTF8_SAMPLE.encode())
    with pytest.raises(jl.DataError, match=r"report.xlsx is named like a .xlsx file but its "
                                           r"content is not one"):
        jl.load(path)
    with pytest.raises(jl.DataError, match=r"named like a \.parquet file"):
        jl.load(_named(UTF8_SAMPLE.encode(), "t.parquet"))


def test_damaged_excel_and_parquet() -> None:
    with pytest.raises(jl.DataError, match="damaged Excel file"):
        jl.load(_named(b"PK\x03\x04garbage" * 10, "broken.xlsx"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    with pytest.raises(jl.DataError, match="could not be opened as an Excel workbook"):
        jl.load(_named(archive.getvalue(), "fake.xlsx"))
    with pytest.raises(jl.DataError, match="could not be read as Parquet"):
        jl.load(_named(b"PAR1" + b"\x01" * 50, "broken.parquet"))


# ---------------------------------------------------------------------------- Parquet


def test_parquet_keeps_types() -> None:
    frame = pd.DataFrame({
        "customer_id": ["c1", "c2"],
        "timestamp": pd.to_datetime(["2026-03-01 10:00", "2026-03-02 11:00"]),
        "revenue": [1.5, None],
    })
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    raw = jl.read_table(_named(buffer.getvalue(), "x.parquet"))
    assert raw.format == "parquet"
    assert raw.rows.tolist() == [2, 3]
    assert pd.api.types.is_datetime64_any_dtype(raw.frame["timestamp"])
    assert raw.frame["revenue"].tolist()[0] == 1.5
