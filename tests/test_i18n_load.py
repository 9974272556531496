"""Reading and loading data in Russian and Polish: DataError messages, rejection reasons (codes,
worded in every language) and the notes of the load report (messages, worded with the languages'
plural forms and decimal commas)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import journeylib as jl
from dashboard.data_panels import timestamp_formats_text
from journeylib import i18n
from journeylib.load import reason_text
from journeylib.timestamps import describe_formats, parse_timestamps
from journeylib.valence import normalise_emotion
from journeylib.workspace import save_workspace

NOTHING_USABLE = b"Customer ID,Date,Stage\nc1,someday,A\nc2,never,B\n,2026-03-01,A\n"
# One good row; three without a timestamp, two unreadable ones, one without a customer id, one
# row wider than the header, and a flag that is not yes/no.
MIXED = (
    b"customer,date,stage,converted\n"
    b"a,2026-03-01,A,1\n"
    b",2026-03-02,A,0\n"
    b"b,yesterday,A,maybe\n"
    b"c,not a date,A,1\n"
    b"d,,A,1\n"
    b"e,,B,1\n"
    b"f,,B,1\n"
    b"g,2026-03-03,A,b,EXTRA\n"
)


def _error(source, lang: str, **options) -> str:
    with i18n.language(lang), pytest.raises(jl.DataError) as excinfo:
        jl.load(source, **options)
    return str(excinfo.value)


def test_nothing_usable_in_russian_and_polish() -> None:
    assert _error(NOTHING_USABLE, "ru") == (
        "Ни одну из 3 строк нельзя использовать: дату и время не удалось прочитать "
        "(2 строки); нет ID клиента (1 строка). Проверьте, правильно ли сопоставлены столбцы "
        "с ID клиента и с датой и временем."
    )
    assert _error(NOTHING_USABLE, "pl") == (
        "Żadnego z 3 wierszy nie da się użyć: nie udało się odczytać daty (2 wiersze); "
        "brak ID klienta (1 wiersz). Sprawdź, czy ID klienta oraz data i godzina są przypisane "
        "do właściwych kolumn."
    )
    # The language is restored after the block: English again.
    assert _error(NOTHING_USABLE, "en").startswith("None of the 3 rows can be used")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", [
            ["нет даты и времени", 3],
            ["дату и время не удалось прочитать", 2],
            ["нет ID клиента", 1],
            ["в строке больше ячеек, чем в заголовке; проверьте, нет ли лишнего разделителя или "
             "текста без кавычек", 1],
        ]),
        ("pl", [
            ["brak daty i godziny", 3],
            ["nie udało się odczytać daty", 2],
            ["brak ID klienta", 1],
            ["wiersz ma więcej komórek niż nagłówek; sprawdź, czy nie ma zbędnego separatora "
             "lub tekstu bez cudzysłowu", 1],
        ]),
    ],
)
def test_rejection_reasons_are_translated_and_grouped(lang, expected) -> None:
    ds = jl.load(MIXED)
    reasons = jl.rejection_reasons(ds)
    assert reasons["reason"].tolist() == ["no_timestamp", "bad_timestamp", "no_customer_id",
                                          "wide_row"]
    worded = [[reason_text(code, lang), n] for code, n in reasons.values.tolist()]
    assert worded == expected
    rows = ds.rejected.set_index("row")["reason"]
    assert rows[4] == "bad_timestamp"


def test_load_report_warnings_and_timestamp_description() -> None:
    with i18n.language("ru"):
        report = jl.load(MIXED).report
    assert [i18n.say(w, "ru") for w in report.warnings] == [
        "1 значение в столбце «converted» не похоже на «да/нет» («maybe»); оно считается "
        "неизвестным."
    ]
    assert [i18n.say(w, "pl") for w in report.warnings] == [
        "1 wartość w kolumnie „converted” nie jest oznaczeniem tak/nie („maybe”); traktujemy ją "
        "jako nieznaną."
    ]
    described = []
    for lang in ("ru", "pl"):
        with i18n.language(lang):
            described.append(timestamp_formats_text(report))
    assert described == ["ISO (гггг-мм-дд) (2 строки)", "ISO (rrrr-mm-dd) (2 wiersze)"]


def test_date_order_notes_and_formats_use_plural_forms() -> None:
    values = pd.Series(["13.03.2026", "25.03.2026", "31.03.2026", "01.04.2026 10:00",
                        "02.04.2026", *["14.04.2026"] * 18])
    with i18n.language("ru"):
        parsed = parse_timestamps(values)
        assert [i18n.say(n) for n in parsed.notes] == [
            "Даты прочитаны в порядке день/месяц/год: 21 значение можно прочитать только так."]
        assert describe_formats(parsed) == "дд.мм.гггг (23 строки)"
    with i18n.language("pl"):
        parsed = parse_timestamps(values[:5])
        assert [i18n.say(n) for n in parsed.notes] == [
            "Daty odczytano w kolejności dzień/miesiąc/rok: 3 wartości da się odczytać tylko w "
            "ten sposób."]
        assert describe_formats(parsed) == "dd.mm.rrrr (5 wierszy)"
        forced = parse_timestamps(pd.Series(["03/04/2026"]), date_order="mdy")
        assert [i18n.say(n) for n in forced.notes] == [
            "Daty odczytano w kolejności miesiąc/dzień/rok, zgodnie z wyborem."]
        assert describe_formats(forced) == "mm/dd/rrrr (1 wiersz)"


def test_emotion_notes_write_numbers_with_decimal_commas() -> None:
    values = pd.Series(["0,5", "2", "4,5", "7"])
    parsed = normalise_emotion(values, scale=(0.5, 4.5))
    assert [i18n.say(n, "ru") for n in parsed.notes] == [
        "Эмоции прочитаны как баллы по шкале 0,5..4,5 (как вы выбрали); "
        "0,5 → -1, 2,5 → 0, 4,5 → +1.",
        "1 балл лежит вне шкалы 0,5..4,5 и остался без оценки; выберите шкалу шире, "
        "если он верный.",
    ]
    assert parsed.warnings == parsed.notes[1:]
    parsed = normalise_emotion(pd.Series(["joy", "meh", "meh", "so-so", "nah", "bof"]))
    assert [i18n.say(n, "pl") for n in parsed.notes] == [
        "5 wartości emocji nie zostało rozpoznanych i nie ma oceny: „meh” (2), „so-so” (1), "
        "„nah” (1), „bof” (1). Nadaj im ocenę w słowniku etykiet."
    ]


def test_emotion_warnings_reach_the_report_in_any_language() -> None:
    data = "Клиент;Дата;Этап;Оценка\nk1;01.03.2026;A;1\nk1;02.03.2026;B;9\nk2;03.03.2026;A;3\n"
    ds = jl.load(data.encode(), emotion_scale="1-5")
    assert [i18n.say(w, "pl") for w in ds.report.warnings] == [
        "1 wynik leży poza skalą 1-5 i nie ma oceny; wybierz szerszą skalę, jeśli jest poprawny."
    ]
    assert [i18n.say(n, "pl") for n in ds.report.emotion_notes] == [
        "Emocje odczytano jako wyniki na skali 1-5 (zgodnie z wyborem); 1 → -1, 3 → 0, 5 → +1."
    ]


def test_file_errors_in_russian_and_polish(xlsx_bytes) -> None:
    big = b"customer,date,stage\n" + b"a,2026-03-01,Awareness\n" * 50_000
    assert _error(big, "ru", max_bytes=2**20).startswith(
        "Файл data весит 1,1 МБ, а загрузить можно файлы до 1 МБ. Разделите его")
    assert _error(big, "pl", max_bytes=2**20).startswith(
        "Plik data ma 1,1 MB, a wgrać można pliki do 1 MB. Podziel go")
    book = io.BytesIO(xlsx_bytes({"A": [["k", "d"], ["1", "2"]], "B": [], "C": []}))
    book.name = "book.xlsx"
    assert _error(book, "ru", sheet=3) == (
        "В файле book.xlsx 3 листа; листа с номером 4 нет.")
    assert _error(book, "pl", sheet=7) == (
        "Plik book.xlsx ma 3 arkusze; nie ma arkusza numer 8.")
    assert _error(b"Customer ID,Stage,Channel\nc1,A,web\n", "ru") == (
        "Ни один столбец не похож на дату и время; найдены столбцы: Customer ID, Stage, Channel. "
        "Назовите нужный столбец, например, «Дата», «Date» или «Data» или выберите его "
        "в сопоставлении столбцов."
    )
    assert _error(b"Klient,Data,Kanal\nk1,2026-03-01,web\n", "pl") == (
        "Nie znaleziono ani kolumny etapu, ani kolumny punktu styku; znalezione kolumny: Klient, "
        "Data, Kanal. Dodaj kolumnę „Etap” lub „Punkt styku” albo wybierz ją w przypisaniu kolumn."
    )


def test_setting_and_workspace_errors(tmp_path: Path) -> None:
    data = b"Customer ID,Date,Stage\nc1,2026-03-01,A\nc1,2026-03-02,B\n"
    assert _error(data, "pl", purchase_stage="Kiwi") == (
        "„Kiwi” nie jest etapem w tych danych; etapy: A, B.")
    ds = jl.load(data)
    save_workspace(ds, "Zespół", directory=tmp_path, read_only=True)
    with i18n.language("ru"), pytest.raises(jl.DataError) as excinfo:
        save_workspace(ds, "Zespół", directory=tmp_path)
    assert str(excinfo.value) == (
        "Рабочая область «Zespół» доступна только для чтения; сохраните данные под другим "
        "названием.")
    with i18n.language("ru"), pytest.raises(jl.DataError) as excinfo:
        jl.shapley_values({frozenset(f"c{i}" for i in range(21)): 1.0})
    assert str(excinfo.value).startswith(
        "Точные значения Шепли рассчитываются не более чем для 15 каналов, а число каналов в этих "
        "данных — 21.")
