"""``jl.load`` end to end: messy real-world files, rejections, stage models, robustness."""

from __future__ import annotations

import datetime as dt
import inspect
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib.i18n import say


def _utc(value: str) -> pd.Timestamp:
    return pd.Timestamp(value, tz="UTC")


def _frame(ds: jl.Dataset) -> pd.DataFrame:
    return ds.table.order_by("source_row").to_pandas()


def _named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


# ---------------------------------------------------------------------------- acceptance 1


RUSSIAN_CSV = (
    "ID клиента;Дата;Этап;Канал;Точка контакта;Эмоция;Выручка\n"
    "К-001;01.03.2026 10:15;Знакомство;Сайт;Главная страница;4,5;\n"
    "К-001;02.03.2026 11:00:30;Покупка;Сайт;Оплата картой;5;1 234,50\n"
    "К-002;15.03.2026 09:30;Знакомство;Email;Рассылка;2,5;\n"
    "К-002;16.03.2026;Покупка;Магазин;Касса;3;99,90\n"
    "К-003;31.03.2026 23:59;Знакомство;Реклама;Баннер;1;\n"
    "К-003;01.04.2026 00:01;Покупка;Магазин;Касса;4;12\u00a0000\n"
)


def test_russian_cp1251_semicolon_csv_with_decimal_commas(write_file) -> None:
    path = write_file("выгрузка.csv", RUSSIAN_CSV.encode("cp1251"))
    ds = jl.load(path)
    report = ds.report
    assert (report.encoding, report.delimiter, report.decimal) == ("cp1251", ";", ",")
    assert report.format == "csv"
    assert report.date_order == "dmy"
    assert report.timestamp_formats == {"dotted": 6}
    assert report.emotion_scale_name == "1-5"
    assert report.mapping == {
        "customer_id": "ID клиента", "timestamp": "Дата", "stage": "Этап", "channel": "Канал",
        "touchpoint": "Точка контакта", "emotion": "Эмоция", "revenue": "Выручка",
    }
    assert (ds.n_rows, ds.n_rejected, report.n_source_rows) == (6, 0, 6)
    assert ds.rejected.empty

    frame = _frame(ds)
    assert list(frame.columns) == list(jl.TABLE_COLUMNS)
    assert frame["source_row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert frame["customer_id"].tolist() == ["К-001", "К-001", "К-002", "К-002", "К-003",
                                             "К-003"]
    assert frame["timestamp"].tolist() == [
        _utc("2026-03-01 10:15"), _utc("2026-03-02 11:00:30"), _utc("2026-03-15 09:30"),
        _utc("2026-03-16 00:00"), _utc("2026-03-31 23:59"), _utc("2026-04-01 00:01"),
    ]
    assert frame["revenue"].tolist()[1] == 1234.5
    assert frame["revenue"].tolist()[3] == 99.9
    assert frame["revenue"].tolist()[5] == 12000.0
    assert frame["revenue"].isna().tolist() == [True, False, True, False, True, False]
    assert frame["emotion"].tolist() == [4.5, 5.0, 2.5, 3.0, 1.0, 4.0]
    assert frame["emotion_raw"].tolist() == ["4,5", "5", "2,5", "3", "1", "4"]
    assert frame["valence"].tolist() == [0.75, 1.0, -0.25, 0.0, -1.0, 0.5]
    assert frame["channel"].tolist()[2] == "Email"
    assert frame["touchpoint"].tolist()[1] == "Оплата картой"
    assert ds.stages == ["Знакомство", "Покупка"]
    assert ds.purchase_stage == "Покупка"
    assert ds.buyer_stages == ["Знакомство", "Покупка"]
    assert ds.customer_stages == []
    schema = ds.table.schema()
    assert str(schema["timestamp"]) == "timestamp('UTC', 6)"
    assert str(schema["revenue"]) == "float64"
    assert str(schema["valence"]) == "float64"


# ---------------------------------------------------------------------------- acceptance 2


def _polish_workbook(xlsx_bytes) -> bytes:
    header = ["Klient", "Data", "Etap", "Kanał", "Punkt styku", "Ocena", "Przychód"]
    return xlsx_bytes({
        "Ścieżki": [
            ["Raport ścieżek klientów — marzec 2026"],
            [],
            header,
            [1001, dt.datetime(2026, 3, 1, 10, 15), "Świadomość", "Strona", "Reklama", 4, None],
            [1001, 46083.5, "Zakup", "Sklep", "Kasa", 5, 1234.5],
            ["K-2", dt.datetime(2026, 3, 3, 9, 0, 30), "Świadomość", "E-mail", "Newsletter", 2,
             None],
            ["K-2", "05.03.2026 14:00", "Rozważanie", "Telefon", "Infolinia", 1, None],
            [None, dt.datetime(2026, 3, 4), "Zakup", "Sklep", "Kasa", 3, 10],
            ["K-3", "nie wiem", "Zakup", "Sklep", "Kasa", 3, "99,90"],
        ],
        "Kwiecień": [
            ["Klient", "Data", "Etap"],
            ["A", dt.datetime(2026, 4, 1, 8, 0), "Zakup"],
            ["B", 46114.25, "Zakup"],
        ],
    })


def test_polish_xlsx_with_title_rows(xlsx_bytes, write_file) -> None:
    path = write_file("raport.xlsx", _polish_workbook(xlsx_bytes))
    ds = jl.load(path)
    report = ds.report
    assert report.format == "xlsx"
    assert (report.sheet, report.sheets) == ("Ścieżki", ["Ścieżki", "Kwiecień"])
    assert (report.header_row, report.title_rows) == (3, 2)
    assert report.mapping == {
        "customer_id": "Klient", "timestamp": "Data", "stage": "Etap", "channel": "Kanał",
        "touchpoint": "Punkt styku", "emotion": "Ocena", "revenue": "Przychód",
    }
    assert report.timestamp_formats == {"datetime": 3, "excel": 1, "dotted": 1}
    assert report.emotion_scale_name == "1-5"
    assert (ds.n_rows, ds.n_rejected, report.n_source_rows) == (4, 2, 6)

    frame = _frame(ds)
    assert frame["source_row"].tolist() == [4, 5, 6, 7]
    assert frame["customer_id"].tolist() == ["1001", "1001", "K-2", "K-2"]
    assert frame["timestamp"].tolist() == [
        _utc("2026-03-01 10:15"), _utc("2026-03-02 12:00"), _utc("2026-03-03 09:00:30"),
        _utc("2026-03-05 14:00"),
    ]
    assert frame["stage"].tolist() == ["Świadomość", "Zakup", "Świadomość", "Rozważanie"]
    assert frame["channel"].tolist() == ["Strona", "Sklep", "E-mail", "Telefon"]
    assert frame["touchpoint"].tolist() == ["Reklama", "Kasa", "Newsletter", "Infolinia"]
    assert frame["valence"].tolist() == [0.5, 1.0, -0.5, -1.0]
    assert frame["revenue"].tolist()[1] == 1234.5
    assert frame["revenue"].isna().tolist() == [True, False, True, True]
    assert ds.rejected[["row", "reason"]].to_dict("records") == [
        {"row": 8, "reason": "no_customer_id"},
        {"row": 9, "reason": "bad_timestamp"},
    ]
    assert ds.purchase_stage == "Zakup"


@pytest.mark.parametrize("sheet", ["Kwiecień", 1])
def test_polish_xlsx_other_sheet(xlsx_bytes, sheet) -> None:
    ds = jl.load(_polish_workbook(xlsx_bytes), sheet=sheet)
    assert ds.report.sheet == "Kwiecień"
    assert (ds.report.header_row, ds.report.title_rows) == (1, 0)
    frame = _frame(ds)
    assert frame["customer_id"].tolist() == ["A", "B"]
    assert frame["source_row"].tolist() == [2, 3]
    assert frame["timestamp"].tolist() == [_utc("2026-04-01 08:00"), _utc("2026-04-02 06:00")]
    assert ds.report.timestamp_formats == {"datetime": 1, "excel": 1}
    assert (ds.n_rows, ds.n_rejected) == (2, 0)


# ---------------------------------------------------------------------------- acceptance 3


REJECTS_CSV = (
    "Выгрузка CRM за март 2026\n"                     # row 1: title
    "\n"                                              # row 2: blank
    "Клиент;Дата;Этап;Эмоция\n"                       # row 3: header
    "c1;01.03.2026 10:00;Знакомство;4\n"              # row 4: ok
    ";02.03.2026 11:00;Знакомство;3\n"                # row 5: no id
    "c2;31.02.2026;Покупка;5\n"                       # row 6: no such date
    "\n"                                              # row 7: blank
    "c3;;Покупка;2\n"                                 # row 8: no timestamp
    ";;Покупка;\n"                                    # row 9: neither
    "{wide}"                                          # row 10: too many cells (or ok)
    "c5;вчера;Покупка;3\n"                            # row 11: words
    "c6;04.03.2026 09:30;Покупка;5\n"                 # row 12: ok
)


@pytest.mark.parametrize("wide", [True, False])
def test_every_rejection_is_explained(wide: bool) -> None:
    line = "c4;03.03.2026 12:00;Покупка;1;лишнее\n" if wide else "c4;03.03.2026 12:00;Покупка;1\n"
    ds = jl.load(REJECTS_CSV.replace("{wide}", line).encode())
    expected = [
        {"row": 5, "reason": "no_customer_id"},
        {"row": 6, "reason": "bad_timestamp"},
        {"row": 8, "reason": "no_timestamp"},
        {"row": 9, "reason": "no_customer_id;no_timestamp"},
        {"row": 11, "reason": "bad_timestamp"},
    ]
    if wide:
        expected.insert(4, {"row": 10, "reason": "wide_row"})
    assert ds.rejected[["row", "reason"]].to_dict("records") == expected
    assert list(ds.rejected.columns) == ["row", "reason", "Клиент", "Дата", "Этап", "Эмоция"]
    assert ds.rejected.loc[1, ["Клиент", "Дата", "Этап", "Эмоция"]].tolist() == [
        "c2", "31.02.2026", "Покупка", "5",
    ]
    loaded_rows = [4, 12] if wide else [4, 10, 12]
    assert _frame(ds)["source_row"].tolist() == loaded_rows
    report = ds.report
    assert (report.header_row, report.title_rows, report.empty_rows) == (3, 2, 1)
    # Every non-blank row below the header is either loaded or rejected.
    assert ds.n_rows + ds.n_rejected == 8
    assert report.n_source_rows == 8
    assert ds.n_rejected == len(ds.rejected)


def test_rejected_cells_are_text_with_empty_strings_for_missing() -> None:
    frame = pd.DataFrame({
        "Customer ID": ["c1", None, "c2", "c3"],
        "Date": ["2026-03-01", "2026-03-02", "bad", None],
        "Stage": ["A", "B", "A", None],
    })
    ds = jl.load(frame)
    assert ds.rejected[["row", "reason"]].to_dict("records") == [
        {"row": 3, "reason": "no_customer_id"},
        {"row": 4, "reason": "bad_timestamp"},
        {"row": 5, "reason": "no_timestamp"},
    ]
    assert ds.rejected["Customer ID"].tolist() == ["", "c2", "c3"]
    assert ds.rejected["Date"].tolist() == ["2026-03-02", "bad", ""]
    assert ds.rejected["Stage"].tolist() == ["B", "A", ""]


def test_nothing_usable_raises_with_reasons() -> None:
    data = b"Customer ID,Date,Stage\nc1,someday,A\nc2,never,B\n,2026-03-01,A\n"
    with pytest.raises(jl.DataError) as excinfo:
        jl.load(data)
    assert str(excinfo.value) == (
        "None of the 3 rows can be used: timestamp is not a date that could be read "
        "(2 rows); no customer id (1 row). Check that the customer id and timestamp columns "
        "are mapped to the right columns."
    )


# ---------------------------------------------------------------------------- sources


def test_parquet_round_trip(write_file) -> None:
    original = pd.DataFrame({
        "customer_id": ["c1", "c1", "c2", None],
        "timestamp": pd.to_datetime(
            ["2026-03-01 10:00", "2026-03-02 11:00", "2026-03-03 12:00", "2026-03-04 13:00"]
        ).tz_localize("Europe/Moscow"),
        "stage": ["Awareness", "Purchase", "Awareness", "Purchase"],
        "emotion": [1.0, 5.0, 3.0, 4.0],
        "revenue": [None, 100.5, None, 7.0],
        "converted": [False, True, False, True],
    })
    buffer = io.BytesIO()
    original.to_parquet(buffer)
    path = write_file("journeys.parquet", buffer.getvalue())
    ds = jl.load(path)
    assert ds.report.format == "parquet"
    assert (ds.n_rows, ds.n_rejected) == (3, 1)
    assert ds.rejected[["row", "reason"]].to_dict("records") == [
        {"row": 5, "reason": "no_customer_id"},
    ]
    frame = _frame(ds)
    assert frame["timestamp"].tolist() == [
        _utc("2026-03-01 07:00"), _utc("2026-03-02 08:00"), _utc("2026-03-03 09:00"),
    ]
    assert frame["valence"].tolist() == [-1.0, 1.0, 0.0]
    assert frame["converted"].tolist() == [False, True, False]
    assert frame["revenue"].tolist()[1] == 100.5
    assert ds.stages == ["Awareness", "Purchase"]
    assert (ds.stage_model, ds.stage_preset) == ("preset", "Awareness → Advocacy")

    # Loaded table -> Parquet -> load again gives the same touchpoints.
    again = io.BytesIO()
    frame.drop(columns=["source_row"]).to_parquet(again)
    reloaded = jl.load(_named(again.getvalue(), "again.parquet"))
    back = _frame(reloaded)
    for column in ("customer_id", "timestamp", "stage", "valence", "revenue", "converted"):
        pd.testing.assert_series_equal(back[column], frame[column], check_dtype=False)


def test_dataframe_with_datetime_column() -> None:
    frame = pd.DataFrame({
        "Client": ["a", "b"],
        "Date": pd.to_datetime(["2026-03-01 10:00", "2026-03-02 11:00"]),
        "Touchpoint": ["Ad", "Shop"],
    })
    ds = jl.load(frame)
    assert ds.report.format == "dataframe"
    assert _frame(ds)["timestamp"].tolist() == [_utc("2026-03-01 10:00"),
                                                _utc("2026-03-02 11:00")]
    assert _frame(ds)["source_row"].tolist() == [2, 3]


def test_converted_flags() -> None:
    data = (
        "Customer ID,Date,Stage,Converted\n"
        "c1,2026-03-01,A,да\nc1,2026-03-02,B,nie\nc2,2026-03-03,A,\nc2,2026-03-04,B,maybe\n"
        "c3,2026-03-05,A,1\n"
    ).encode()
    ds = jl.load(data)
    assert _frame(ds)["converted"].tolist() == [True, False, None, None, True]
    assert [say(w) for w in ds.report.warnings] == [
        "1 value of 'Converted' is not a yes/no flag ('maybe'); it is treated as unknown."
    ]


# ---------------------------------------------------------------------------- stage models


GOES_BACK = (
    "customer,time,stage\n"
    "c1,2026-03-01 09:00,Zebra\n"
    "c1,2026-03-02 09:00,Mango\n"
    "c1,2026-03-03 09:00,Zebra\n"      # c1 goes back to Zebra
    "c1,2026-03-04 09:00,Apple\n"
    "c2,2026-03-05 09:00,Zebra\n"
    "c2,2026-03-06 09:00,Mango\n"
    "c2,2026-03-07 09:00,Apple\n"
    "c3,2026-02-01 09:00,Mango\n"      # the earliest event of all, but c3 is the odd one out
    "c3,2026-02-02 09:00,Zebra\n"
    "c3,2026-02-03 09:00,Apple\n"
)


def test_inferred_stage_order_with_a_customer_going_back() -> None:
    # First reach per customer: c1 Z<M<A, c2 Z<M<A, c3 M<Z<A. Zebra precedes Mango for 2 of 3
    # customers and both precede Apple for all, so the order is Zebra, Mango, Apple (neither
    # alphabetical nor the order of the earliest event, which is Mango).
    ds = jl.load(GOES_BACK.encode())
    assert ds.stages == ["Zebra", "Mango", "Apple"]
    assert jl.infer_stage_order(ds.table) == ["Zebra", "Mango", "Apple"]
    assert ds.stage_model == "inferred"
    assert ds.purchase_stage is None
    assert ds.buyer_stages == ["Zebra", "Mango", "Apple"]
    assert ds.customer_stages == []


def test_given_stage_list_and_purchase_stage() -> None:
    ds = jl.load(GOES_BACK.encode(), stages=["Apple", "Zebra"], purchase_stage="Zebra")
    assert ds.stages == ["Apple", "Zebra", "Mango"]
    assert ds.stage_model == "given"
    assert ds.buyer_stages == ["Apple", "Zebra"]
    assert ds.customer_stages == ["Mango"]
    with pytest.raises(jl.DataError, match=r"'Kiwi' is not a stage of this data; stages: Zebra, "
                                           r"Mango, Apple\."):
        jl.load(GOES_BACK.encode(), purchase_stage="Kiwi")


def test_preset_found_and_purchase_splits_the_journey() -> None:
    data = (
        b"Customer ID,Date,Stage\n"
        b"c1,2026-03-05,Advocacy\n"
        b"c1,2026-03-01,Awareness\n"
        b"c1,2026-03-03,Purchase\n"
        b"c1,2026-03-04,Retention\n"
        b"c2,2026-03-02,Consideration\n"
    )
    ds = jl.load(data)
    assert (ds.stage_model, ds.stage_preset) == ("preset", "Awareness → Advocacy")
    assert ds.stages == ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
    assert ds.purchase_stage == "Purchase"
    assert ds.buyer_stages == ["Awareness", "Consideration", "Purchase"]
    assert ds.customer_stages == ["Retention", "Advocacy"]
    assert set(jl.STAGE_PRESETS) == {
        "Awareness → Advocacy", "Discovery → Loyalty", "Need → Advocacy",
    }


def test_named_preset_orders_the_stages() -> None:
    data = b"Customer ID,Date,Stage\nc1,2026-03-01,Loyalty\nc1,2026-03-02,Discovery\n"
    ds = jl.load(data, stages="Discovery → Loyalty")
    assert ds.stages == ["Discovery", "Loyalty"]
    assert (ds.stage_model, ds.stage_preset) == ("preset", "Discovery → Loyalty")
    with pytest.raises(jl.DataError, match="Unknown stage preset 'Nope'; presets: "
                                           "Awareness → Advocacy, Discovery → Loyalty"):
        jl.load(data, stages="Nope")


def test_touchpoint_stages_when_the_file_has_no_stage() -> None:
    data = (
        b"Customer ID,Date,Touchpoint\n"
        b"c1,2026-03-01,Ad\n"
        b"c1,2026-03-02,Checkout\n"
        b"c1,2026-03-03,Review\n"
        b"c2,2026-03-01,ad\n"
        b"c2,2026-03-04,Hotline\n"
    )
    lookup = {"Ad": "Awareness", "checkout": "Purchase", "Review": "Advocacy"}
    ds = jl.load(data, touchpoint_stages=lookup)
    frame = _frame(ds)
    assert frame["stage"].tolist()[:4] == ["Awareness", "Purchase", "Advocacy", "Awareness"]
    assert frame["stage"].isna().tolist() == [False, False, False, False, True]
    assert ds.stages == ["Awareness", "Purchase", "Advocacy"]
    assert ds.buyer_stages == ["Awareness", "Purchase"]
    assert ds.customer_stages == ["Advocacy"]
    assert [say(w) for w in ds.report.warnings] == [
        "1 row has a touchpoint with no stage in the touchpoint-to-stage mapping: 'Hotline'."
    ]
    assert (ds.n_rows, ds.n_rejected) == (5, 0)


# ---------------------------------------------------------------------------- robustness

CELLS = st.one_of(
    st.sampled_from([
        "", " ", "c1", "c2", "2026-03-01", "01.03.2026 10:00", "13/03/2026", "46082.5",
        "1772359200", "joy", "4,5", "1 234,50", "Покупка", "Zakup", "x;y", "a,b", '"q"',
        "nan", "None", "may", "Mar 2026", "31.02.2026", "1e400", "-", "inf",
    ]),
    st.text(max_size=6),
)
HEADERS = st.sampled_from([
    "Customer ID", "Date", "Stage", "Touchpoint", "Emotion", "Revenue", "Converted", "Klient",
    "Data", "Этап", "", "x", "Date",
])


@st.composite
def string_frames(draw) -> pd.DataFrame:
    n_cols = draw(st.integers(1, 5))
    n_rows = draw(st.integers(0, 6))
    columns = [draw(HEADERS) for _ in range(n_cols)]
    rows = [[draw(CELLS) for _ in range(n_cols)] for _ in range(n_rows)]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _non_empty_rows(frame: pd.DataFrame) -> int:
    return sum(any(str(v).strip() for v in row) for row in frame.itertuples(index=False))


ROBUST = settings(max_examples=120, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@ROBUST
@given(string_frames())
@example(pd.DataFrame({"Customer ID": ["c1", "", "c2"], "Date": ["2026-03-01", " ", "x"],
                       "Stage": ["A", "", "B"]}, dtype=object))
def test_any_frame_loads_or_raises_data_error(frame: pd.DataFrame) -> None:
    try:
        ds = jl.load(frame)
    except jl.DataError:
        return
    assert ds.n_rows + ds.n_rejected == _non_empty_rows(frame)
    assert len(ds.rejected) == ds.n_rejected
    assert ds.table.count().to_pyarrow().as_py() == ds.n_rows


@ROBUST
@given(string_frames(), st.sampled_from([",", ";", "\t", "|"]))
def test_any_frame_as_csv_loads_or_raises_data_error(frame: pd.DataFrame, sep: str) -> None:
    # "\r\n" line ends make the writer quote cells holding a bare "\r", as Excel does; with
    # "\n" pandas leaves it bare, and a bare "\r" is a line break to every CSV reader.
    data = frame.to_csv(index=False, sep=sep, lineterminator="\r\n").encode()
    try:
        ds = jl.load(data)
    except jl.DataError:
        return
    assert ds.n_rows + ds.n_rejected == _non_empty_rows(frame)
    assert len(ds.rejected) == ds.n_rejected


# ---------------------------------------------------------------------------- API


def test_public_functions_and_classes_have_docstrings() -> None:
    missing = []
    for name in jl.__all__:
        obj = getattr(jl, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        doc = obj.__doc__ or ""
        # dataclasses invent a docstring from the signature when none is written.
        if not doc.strip() or doc.startswith(f"{name}("):
            missing.append(name)
    assert missing == []
    assert issubclass(jl.DataError, ValueError)
