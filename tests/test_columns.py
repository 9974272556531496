"""Column auto-mapping: names in English, Russian and Polish, value sniffing, user overrides."""

from __future__ import annotations

import pandas as pd
import pytest

import journeylib as jl
from journeylib.columns import normalise_name

NAMES = {
    "customer_id": ["Customer ID", "user", "client", "ID клиента", "Клиент", "Klient",
                    "CUSTOMER_ID", "customer-id", "  Customer   Id ", "CustomerID", "User Id",
                    "Customer ID (CRM)", "id клиента", "KLIENT"],
    "timestamp": ["Date", "Дата", "Data", "DATE", "Event time", "Дата и время", "data/czas"],
    "stage": ["Stage", "Этап", "Etap", "STAGE", "Journey stage", "ЭТАП"],
    "channel": ["Channel", "Канал", "Kanał", "KANAŁ", "channel:"],
    "touchpoint": ["Touchpoint", "Точка контакта", "Punkt styku", "touch_point", "Touch-point",
                   "PUNKT STYKU"],
    "emotion": ["Emotion", "Эмоция", "CSAT", "NPS", "Sentiment", "Ocena",
                "Emotion score (1-5)", "csat"],
    "revenue": ["Revenue", "Выручка", "Przychód", "PRZYCHÓD", "revenue, $"],
}


@pytest.mark.parametrize(
    ("field", "name"), [(f, n) for f, names in NAMES.items() for n in names]
)
def test_name_maps_to_field(field: str, name: str) -> None:
    mapping, method = jl.guess_mapping(pd.DataFrame({name: ["x"]}))
    assert mapping.get(field) == name, mapping
    assert method[field] == "name"


def test_normalise_name() -> None:
    assert normalise_name("  Customer__ID (CRM) ") == "customer id crm"
    assert normalise_name("Точка-контакта") == "точка контакта"
    assert normalise_name("Ёмкость") == "емкость"
    assert normalise_name("Kanał") == "kanał"


def test_decomposed_unicode_header_still_matches() -> None:
    import unicodedata

    header = unicodedata.normalize("NFD", "Przychód")
    mapping, _ = jl.guess_mapping(pd.DataFrame({header: [1]}))
    assert mapping == {"revenue": header}


def test_full_polish_and_russian_headers() -> None:
    polish = ["Klient", "Data", "Etap", "Kanał", "Punkt styku", "Ocena", "Przychód"]
    russian = ["ID клиента", "Дата", "Этап", "Канал", "Точка контакта", "Эмоция", "Выручка"]
    fields = ["customer_id", "timestamp", "stage", "channel", "touchpoint", "emotion", "revenue"]
    for names in (polish, russian):
        mapping, method = jl.guess_mapping(pd.DataFrame({n: ["x"] for n in names}))
        assert mapping == dict(zip(fields, names, strict=True))
        assert set(method.values()) == {"name"}


def test_each_column_is_used_once_and_exact_names_win() -> None:
    frame = pd.DataFrame({c: ["x"] for c in ["Customer segment", "Customer", "Date", "Stage"]})
    mapping, _ = jl.guess_mapping(frame)
    assert mapping == {"customer_id": "Customer", "timestamp": "Date", "stage": "Stage",
                       "segment": "Customer segment"}


def test_values_sniffed_when_names_say_nothing() -> None:
    frame = pd.DataFrame({
        "kol_a": ["x1", "x1", "x2", "x3", "x3"],
        "kol_b": ["2026-03-01", "2026-03-02 10:00", "01.03.2026", "2026-03-04", "2026-03-05"],
        "Stage": ["A", "B", "A", "B", "A"],
        "kol_c": ["u1", "u2", "u3", "u4", "u5"],
    })
    mapping, method = jl.guess_mapping(frame)
    assert mapping == {"stage": "Stage", "timestamp": "kol_b", "customer_id": "kol_a"}
    assert method == {"stage": "name", "timestamp": "values", "customer_id": "values"}
    ds = jl.load(frame)
    assert ds.report.mapping_method == method
    assert ds.mapping == mapping
    assert ds.n_rows == 5


def test_sniffing_prefers_the_busiest_repeating_column() -> None:
    frame = pd.DataFrame({
        "a": ["s1", "s1", "s1", "s2", "s2", "s2"],
        "b": ["k1", "k1", "k2", "k2", "k3", "k3"],
        "Date": [f"2026-03-0{i}" for i in range(1, 7)],
        "Touchpoint": ["t"] * 6,
    })
    mapping, method = jl.guess_mapping(frame)
    assert mapping["customer_id"] == "b"
    assert method["customer_id"] == "values"


def test_bare_numbers_are_not_sniffed_as_timestamps() -> None:
    frame = pd.DataFrame({"a": [1001, 1001, 1002, 1003], "b": [46082, 46083, 46084, 46085]})
    mapping, _ = jl.guess_mapping(frame)
    assert "timestamp" not in mapping
    assert mapping == {"customer_id": "a"}


def test_user_mapping_overrides_and_unmaps() -> None:
    data = (
        b"Customer ID,Date,Updated,Stage,Score\n"
        b"c1,2026-03-01,2026-04-01,A,5\n"
        b"c2,2026-03-02,2026-04-02,B,1\n"
    )
    auto = jl.load(data)
    assert auto.mapping == {"customer_id": "Customer ID", "timestamp": "Date", "stage": "Stage",
                            "emotion": "Score"}
    ds = jl.load(data, mapping={"timestamp": "Updated", "emotion": None, "channel": "Stage"})
    assert ds.mapping == {"customer_id": "Customer ID", "timestamp": "Updated", "stage": "Stage",
                          "channel": "Stage"}
    assert ds.report.mapping_method == {"customer_id": "name", "timestamp": "user",
                                        "stage": "name", "channel": "user"}
    frame = ds.table.order_by("source_row").to_pandas()
    assert frame["timestamp"].tolist() == [pd.Timestamp("2026-04-01", tz="UTC"),
                                           pd.Timestamp("2026-04-02", tz="UTC")]
    assert frame["valence"].isna().all()
    assert frame["channel"].tolist() == ["A", "B"]


def test_bad_user_mapping_raises_data_error() -> None:
    data = b"Customer ID,Date,Stage\nc1,2026-03-01,A\n"
    with pytest.raises(jl.DataError, match="'colour' is not a touchpoint field; fields are: "
                                           "customer_id, timestamp"):
        jl.load(data, mapping={"colour": "Stage"})
    with pytest.raises(jl.DataError, match=r"The mapping names column 'When', which is not in the "
                                           r"file; columns found: Customer ID, Date, Stage\."):
        jl.load(data, mapping={"timestamp": "When"})
    with pytest.raises(jl.DataError, match="No column looks like the timestamp"):
        jl.load(data, mapping={"timestamp": None})


def test_missing_required_columns_explain_the_fix() -> None:
    with pytest.raises(jl.DataError) as excinfo:
        jl.load(b"Customer ID,Stage,Channel\nc1,A,web\nc2,B,shop\n")
    assert str(excinfo.value) == (
        "No column looks like the timestamp; columns found: Customer ID, Stage, Channel. "
        "Name it like 'Date', 'Дата' or 'Data', or choose it in the column mapping."
    )
    with pytest.raises(jl.DataError, match="No column looks like the customer id; columns "
                                           "found: Date, Stage"):
        jl.load(b"Date,Stage\n2026-03-01,A\n2026-03-02,B\n")
    with pytest.raises(jl.DataError, match="Neither a stage nor a touchpoint column was found; "
                                           "columns found: Customer ID, Date, Channel"):
        jl.load(b"Customer ID,Date,Channel\nc1,2026-03-01,web\n")
