"""Revenue in its currency: the file names it (a mark on the amounts or in the column's name),
the dataset keeps the ISO code, and every amount on screen carries its mark."""

from __future__ import annotations

import pandas as pd
import pytest

import journeylib as jl
from dashboard import tables
from journeylib.i18n import formats
from journeylib.numeric import currency_of
from tests.apptest import open_with_file, table

NB = "\u00a0"


@pytest.mark.parametrize(("values", "header", "code"), [
    (["1 234,50 ₽", "12 р."], "Выручка", "RUB"),
    (["10", "20"], "Сумма, руб.", "RUB"),
    ([1.0, 2.0], "Przychód (zł)", "PLN"),
    (["$5", "6"], "revenue", "USD"),
    (["5 EUR"], "amount", "EUR"),
    (["10", "20"], "revenue", None),          # nothing named: no guess
    (["$5", "6 €"], "revenue", None),         # two currencies: no guess
    (["10"], "Europe revenue", None),         # "eur" inside a word is not a currency
])
def test_the_currency_is_read_from_amounts_or_the_header(values, header, code) -> None:
    assert currency_of(pd.Series(values, dtype=object), header) == code


def test_a_russian_export_keeps_its_rubles(tmp_path) -> None:
    csv = ("Клиент;Дата;Этап;Канал;Выручка, руб.\n"
           "c1;01.03.2026 10:00;Awareness;email;\n"
           "c1;02.03.2026 10:00;Purchase;email;1 234,50\n").encode("cp1251")
    path = tmp_path / "export.csv"
    path.write_bytes(csv)
    assert jl.load(str(path)).currency == "RUB"
    plain = tmp_path / "plain.csv"
    plain.write_bytes(b"customer_id,timestamp,stage,revenue\nc1,2026-03-01,Purchase,5\n")
    assert jl.load(str(plain)).currency is None


def test_amounts_and_intervals_carry_the_mark() -> None:
    assert formats.interval(26979.8, 25100, 28300, "money", "ru", 0, "RUB") == (
        f"26{NB}980{NB}₽ (25{NB}100{NB}₽–28{NB}300{NB}₽)")
    column = tables.interval("Revenue", low="lo", high="hi", kind="money", decimals=0,
                             currency="USD")
    assert tables.cell(120.0, column, {"lo": 105.0, "hi": 134.0}, "en") == "$120 ($105–$134)"


def test_attribution_revenue_in_the_files_currency() -> None:
    rows = ["Клиент;Дата;Этап;Канал;Выручка, руб."]
    for i in range(40):
        rows.append(f"c{i};01.03.2026 10:00;Awareness;{'email' if i % 2 else 'search'};")
        if i % 3 == 0:
            rows.append(f"c{i};03.03.2026 10:00;Purchase;direct;1 000,00")
    at = open_with_file("attribution", "export.csv", "\n".join(rows).encode("cp1251"),
                        lang="ru")
    next(r for r in at.radio if r.key == "attr_measure").set_value("revenue").run()
    assert not at.exception
    shown = table(at, "channel", "last_touch")
    assert shown["last_touch"].str.endswith("₽").any()
