"""The canonical touchpoint columns and the automatic mapping of a file's columns onto them."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

CANONICAL = (
    "customer_id",
    "timestamp",
    "stage",
    "channel",
    "touchpoint",
    "emotion",
    "converted",
    "revenue",
    "segment",
    "note",
)
REQUIRED = ("customer_id", "timestamp")

# Names people give these columns, in English, Russian and Polish; compared after folding case,
# spacing and punctuation (see normalise_name). Earlier entries win when a header matches several.
SYNONYMS: dict[str, list[str]] = {
    "customer_id": [
        "customer id",
        "customer",
        "customerid",
        "client id",
        "client",
        "user id",
        "user",
        "userid",
        "visitor id",
        "contact id",
        "account id",
        "person id",
        "respondent",
        "id клиента",
        "клиент",
        "клиент id",
        "код клиента",
        "покупатель",
        "пользователь",
        "id пользователя",
        "id покупателя",
        "id klienta",
        "klient",
        "klient id",
        "użytkownik",
        "id użytkownika",
        "nabywca",
        "id",
    ],
    "timestamp": [
        "timestamp",
        "datetime",
        "date time",
        "date",
        "time",
        "event time",
        "event date",
        "created at",
        "occurred at",
        "дата",
        "дата и время",
        "дата время",
        "время",
        "дата события",
        "data",
        "data i czas",
        "data i godzina",
        "czas",
        "data zdarzenia",
    ],
    "stage": [
        "stage",
        "journey stage",
        "funnel stage",
        "phase",
        "step",
        "этап",
        "стадия",
        "фаза",
        "этап пути",
        "шаг",
        "etap",
        "faza",
        "etap ścieżki",
        "krok",
    ],
    "channel": [
        "channel",
        "source",
        "medium",
        "utm source",
        "канал",
        "источник",
        "kanał",
        "źródło",
    ],
    "touchpoint": [
        "touchpoint",
        "touch point",
        "touchpoint name",
        "interaction",
        "event",
        "event name",
        "action",
        "точка контакта",
        "точка касания",
        "точка",
        "событие",
        "действие",
        "взаимодействие",
        "punkt styku",
        "punkt kontaktu",
        "zdarzenie",
        "interakcja",
        "działanie",
    ],
    "emotion": [
        "emotion",
        "emotion score",
        "feeling",
        "sentiment",
        "csat",
        "nps",
        "ces",
        "score",
        "rating",
        "satisfaction",
        "mood",
        "эмоция",
        "эмоции",
        "оценка",
        "настроение",
        "удовлетворенность",
        "emocja",
        "emocje",
        "ocena",
        "nastrój",
        "satysfakcja",
    ],
    "converted": [
        "converted",
        "conversion",
        "purchased",
        "is conversion",
        "conversion flag",
        "конверсия",
        "сконвертирован",
        "покупка",
        "konwersja",
        "zakup",
    ],
    "revenue": [
        "revenue",
        "amount",
        "value",
        "sales",
        "order value",
        "sum",
        "price",
        "выручка",
        "сумма",
        "доход",
        "стоимость",
        "przychód",
        "kwota",
        "wartość",
        "sprzedaż",
    ],
    "segment": [
        "segment",
        "customer segment",
        "group",
        "cohort",
        "сегмент",
        "группа",
        "grupa",
        # Geography: a region or state before a country (often one for the whole file) and a
        # city (many small groups), so a file with several of them is segmented by region.
        "region",
        "state",
        "province",
        "county",
        "territory",
        "регион",
        "область",
        "край",
        "województwo",
        "wojewodztwo",
        "prowincja",
        "country",
        "страна",
        "kraj",
        "city",
        "town",
        "город",
        "населенный пункт",
        "miasto",
        "miejscowość",
        "miejscowosc",
    ],
    "note": [
        "note",
        "notes",
        "comment",
        "comments",
        "quote",
        "verbatim",
        "feedback",
        "remark",
        "заметка",
        "комментарий",
        "цитата",
        "отзыв",
        "примечание",
        "notatka",
        "komentarz",
        "cytat",
        "opinia",
        "uwagi",
    ],
}


def normalise_name(name: object) -> str:
    """Fold a column name for matching: lower case, ё -> е, punctuation and spaces to one space."""
    text = unicodedata.normalize("NFC", str(name)).casefold().replace("ё", "е")
    return re.sub(r"[\W_]+", " ", text).strip()


_SYNONYM_INDEX = {field: [normalise_name(s) for s in names] for field, names in SYNONYMS.items()}


def guess_mapping(frame: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Map source columns onto canonical fields.

    Returns ``(mapping, method)``: ``mapping`` is canonical field -> source column for every field
    found, ``method`` says how each was found: ``"name"`` (a known column name) or ``"values"``
    (the required customer_id/timestamp columns, sniffed from the values when no name matched).
    """
    columns = list(frame.columns)
    folded = {c: normalise_name(c) for c in columns}
    mapping: dict[str, str] = {}
    method: dict[str, str] = {}
    used: set[str] = set()
    # Exact names first, then names that contain a synonym as whole words ("Customer ID (CRM)").
    for exact in (True, False):
        for field in CANONICAL:
            if field in mapping:
                continue
            for synonym in _SYNONYM_INDEX[field]:
                match = next(
                    (c for c in columns if c not in used and _matches(folded[c], synonym, exact)),
                    None,
                )
                if match is not None:
                    mapping[field], method[field] = match, "name"
                    used.add(match)
                    break
    for field, sniff in (("timestamp", _looks_like_timestamps), ("customer_id", _looks_like_ids)):
        if field not in mapping:
            candidates = [c for c in columns if c not in used and sniff(frame[c])]
            if candidates:
                best = (
                    max(candidates, key=lambda c: frame[c].nunique())
                    if field == "customer_id"
                    else candidates[0]
                )
                mapping[field], method[field] = best, "values"
                used.add(best)
    return mapping, method


def _matches(folded: str, synonym: str, exact: bool) -> bool:
    if exact:
        return folded == synonym
    return len(synonym) > 2 and re.search(rf"(?<!\w){re.escape(synonym)}(?!\w)", folded) is not None


def _sample(values: pd.Series, n: int = 500) -> pd.Series:
    values = values.head(n)
    return values[values.map(lambda v: v is not None and str(v).strip() not in ("", "nan", "NaT"))]


def _looks_like_timestamps(values: pd.Series) -> bool:
    from journeylib.timestamps import parse_timestamps

    sample = _sample(values)
    if sample.empty:
        return False
    if (
        pd.api.types.is_numeric_dtype(sample)
        or sample.map(lambda v: isinstance(v, int | float)).all()
    ):
        return False  # bare numbers are more often ids or amounts than Unix times
    parsed = parse_timestamps(sample).values
    return bool(parsed.notna().mean() >= 0.8)


def _looks_like_ids(values: pd.Series) -> bool:
    sample = _sample(values, 5000)
    if len(sample) < 4 or pd.api.types.is_float_dtype(sample):
        return False
    distinct = sample.astype(str).nunique()
    # Ids repeat (several touchpoints per customer); the busiest such column is chosen.
    return 2 <= distinct < len(sample)
