"""Numbers, percentages and dates written the way each interface language writes them.

English: ``1,234.5``, ``42%``, ``23 Nov 2026``. Russian: ``1 234,5``, ``42 %``, ``23.11.2026``.
Polish: ``1234,5`` but ``12 345,5`` (Polish groups digits only from five digits on), ``42%``,
``23.11.2026``. The spaces are non-breaking, so a number never wraps across lines. The same
conventions are handed to Vega-Lite (:func:`vega_locale`) so chart axes and tooltips match.
"""

from __future__ import annotations

import datetime as dt
import math
import re

NBSP = "\u00a0"
EMPTY = "\u2014"  # an em dash: how every table and sentence shows a missing value
_SEPARATORS = {"en": (",", "."), "ru": (NBSP, ","), "pl": (NBSP, ",")}
# CLDR minimumGroupingDigits: Polish writes 1234 but 12 345.
_MIN_GROUPING = {"pl": 2}
_PERCENT = {"en": "{}%", "ru": "{}" + NBSP + "%", "pl": "{}%"}
_SHORT_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "ru": ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"],
    "pl": ["sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"],
}


def _lang(lang: str | None) -> str:
    if lang is None:
        from journeylib.i18n import get_language

        lang = get_language()
    return lang if lang in _SEPARATORS else "en"


def _missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(x))  # type: ignore[arg-type]
    except TypeError:
        return x is getattr(__import__("pandas"), "NA", object())


def _auto_decimals(x: float) -> int:
    size = abs(x)
    return 0 if size >= 100 or size == int(size) else 1 if size >= 10 else 2


def number(x: float | None, decimals: int | None = None, lang: str | None = None) -> str:
    """``x`` with the language's digit grouping and decimal separator; ``decimals=None`` picks
    0, 1 or 2 decimals by size (whole numbers get none). Missing values give an em dash
    (:data:`EMPTY`)."""
    if _missing(x):
        return EMPTY
    lang = _lang(lang)
    if decimals is None:
        decimals = _auto_decimals(float(x))
    text = f"{abs(x):,.{decimals}f}"
    whole, _, frac = text.partition(".")
    group, point = _SEPARATORS[lang]
    if len(whole.replace(",", "")) < 4 + _MIN_GROUPING.get(lang, 1) - 1:
        whole = whole.replace(",", "")
    whole = whole.replace(",", group)
    sign = "-" if x < 0 and float(text.replace(",", "")) != 0 else ""
    return sign + whole + (point + frac if frac else "")


def percent(x: float | None, decimals: int = 0, lang: str | None = None) -> str:
    """The fraction ``x`` (0.42) as a percentage in the language (``42%``, ``42 %``)."""
    if _missing(x):
        return EMPTY
    lang = _lang(lang)
    return _PERCENT[lang].format(number(x * 100, decimals, lang))


def share(x: float | None, lang: str | None = None) -> str:
    """A share (0..1) as a percentage by the one rule every table and chart label uses: one
    decimal (``36.4%``, ``0.5%``), exact ``0%`` and ``100%`` without, ``<0.1%`` for a positive
    share that would round to zero and ``>99.9%`` for one that would round to a hundred."""
    if _missing(x):
        return EMPTY
    lang = _lang(lang)
    value = float(x)  # type: ignore[arg-type]
    if value == 0 or value == 1:
        return percent(value, 0, lang)
    if 0 < value < 0.0005:
        return "<" + percent(0.001, 1, lang)
    if 0.9995 <= value < 1:
        return ">" + percent(0.999, 1, lang)
    return percent(value, 1, lang)


def signed(x: float | None, decimals: int = 2, lang: str | None = None) -> str:
    """``x`` with its sign always written (``+0,36``, ``−0,12``; zero unsigned), in the
    language's separators. The minus is the typographic one (U+2212)."""
    if _missing(x):
        return EMPTY
    text = number(x, decimals, lang)
    if text.startswith("-"):
        return "\u2212" + text[1:]
    return text if float(text.replace(NBSP, "").replace(",", "").replace(".", "") or 0) == 0 \
        else "+" + text


def points(x: float | None, decimals: int = 1, lang: str | None = None) -> str:
    """A difference of two shares in percentage points: ``+3.2 pp``, ``−38 п. п.``, ``+3,2 pp``."""
    if _missing(x):
        return EMPTY
    lang = _lang(lang)
    return signed(float(x) * 100, decimals, lang) + NBSP + _POINTS[lang]  # type: ignore[arg-type]


_POINTS = {"en": "pp", "ru": "п.\u202fп.", "pl": "pp"}
# How an amount is written with its currency, by ISO code (the mark before or after the number).
_CURRENCY_MARKS = {"RUB": ("", NBSP + "₽"), "PLN": ("", NBSP + "zł"), "USD": ("$", ""),
                   "EUR": ("", NBSP + "€"), "GBP": ("£", "")}


def money(x: float | None, currency: str | None = None, lang: str | None = None,
          decimals: int | None = None) -> str:
    """An amount with grouping (``26,979.82``, ``26 979,82``) and, when the currency is known
    (an ISO code: RUB, PLN, USD, EUR, GBP), its mark (``26 979,82 ₽``, ``$26,979.82``).
    ``decimals=None`` writes cents only when the amount has them."""
    if _missing(x):
        return EMPTY
    value = float(x)  # type: ignore[arg-type]
    if decimals is None:
        decimals = 0 if value == round(value) else 2
    text = number(value, decimals, lang)
    before, after = _CURRENCY_MARKS.get((currency or "").upper(), ("", ""))
    sign = "-" if text.startswith("-") else ""
    return sign + before + text.lstrip("-") + after


def interval(estimate: float | None, low: float | None, high: float | None, kind: str = "number",
             lang: str | None = None, decimals: int | None = None,
             currency: str | None = None) -> str:
    """An estimate with its interval as analysts write it: ``120 (105–134)``,
    ``36.4% (33.1%–39.8%)``, ``26 980 ₽ (25 100 ₽–28 300 ₽)``.

    ``kind`` is ``number``, ``share``, ``money`` (with ``currency``, an ISO code, as
    :func:`money` writes it) or ``signed`` (``−0.12 (−0.20…−0.04)``: a dash between signed
    numbers would read as a minus). A missing bound gives the estimate alone."""
    def one(v: float | None) -> str:
        if kind == "money":
            return money(v, currency, lang, decimals)
        if kind == "share":
            return share(v, lang)
        if kind == "points":
            return points(v, 1 if decimals is None else decimals, lang)
        if kind == "signed":
            return signed(v, 2 if decimals is None else decimals, lang)
        return number(v, decimals, lang)

    if _missing(estimate):
        return EMPTY
    if _missing(low) or _missing(high):
        return one(estimate)
    # A dash between two signed numbers reads as a minus: signed bounds are joined by "…".
    joint = "\u2026" if kind in ("signed", "points") or float(low) < 0 else "\u2013"  # type: ignore[arg-type]
    return f"{one(estimate)} ({one(low)}{joint}{one(high)})"


def p_value(p: float | None, lang: str | None = None) -> str:
    """A p-value as journals write it: three decimals, ``<0.001`` below that."""
    if _missing(p):
        return EMPTY
    if float(p) < 0.001:  # type: ignore[arg-type]
        return "<" + number(0.001, 3, lang)
    return number(p, 3, lang)


def date_time(moment: object, lang: str | None = None, zone: str | None = None) -> str:
    """A moment in the user's time zone (``zone``, an IANA name; UTC when None) as tables write
    it: ``12 Mar 2026, 00:02`` in English, ``12.03.2026 00:02`` in Russian and Polish."""
    import pandas as pd

    if _missing(moment) or moment is pd.NaT:
        return EMPTY
    stamp = pd.Timestamp(moment)  # type: ignore[arg-type]
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    stamp = stamp.tz_convert(zone or "UTC")
    lang = _lang(lang)
    if lang == "en":
        return f"{stamp.day} {_SHORT_MONTHS['en'][stamp.month - 1]} {stamp.year}, {stamp:%H:%M}"
    return f"{stamp:%d.%m.%Y %H:%M}"


def date(day: dt.date, lang: str | None = None) -> str:
    """A calendar date: ``23 Nov 2026`` in English, ``23.11.2026`` in Russian and Polish."""
    lang = _lang(lang)
    if lang == "en":
        return f"{day.day} {_SHORT_MONTHS['en'][day.month - 1]} {day.year}"
    return f"{day:%d.%m.%Y}"


def month(day: dt.date, lang: str | None = None) -> str:
    """A month: ``Nov 2026``, ``ноя 2026``, ``lis 2026``."""
    lang = _lang(lang)
    return f"{_SHORT_MONTHS[lang][day.month - 1]} {day.year}"


# Date-time patterns for tables (Moment.js syntax, used by Streamlit's DatetimeColumn).
_TABLE_DATETIME = {"en": "D MMM YYYY, HH:mm", "ru": "DD.MM.YYYY HH:mm", "pl": "DD.MM.YYYY HH:mm"}


def table_datetime_format(lang: str | None = None) -> str:
    """How tables show a date and time in the language (a Moment.js pattern)."""
    return _TABLE_DATETIME[_lang(lang)]


def label_key(text: str) -> str:
    """The catalogue key of a library label: lower case, runs of other characters as ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


# d3-format / d3-time-format locale definitions (as in d3's own ru-RU and pl-PL files, with the
# Polish date written dd.mm.yyyy as Polish users expect).
_VEGA_NUMBER = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
    "ru": {"decimal": ",", "thousands": NBSP, "grouping": [3], "currency": ["", NBSP + "₽"],
           "percent": NBSP + "%"},
    "pl": {"decimal": ",", "thousands": NBSP, "grouping": [3], "currency": ["", "zł"]},
}
_VEGA_TIME = {
    "ru": {
        "dateTime": "%A, %e %B %Y г. %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница",
                 "суббота"],
        "shortDays": ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
        "months": ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                   "сентябрь", "октябрь", "ноябрь", "декабрь"],
        "shortMonths": _SHORT_MONTHS["ru"],
    },
    "pl": {
        "dateTime": "%A, %e %B %Y, %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["niedziela", "poniedziałek", "wtorek", "środa", "czwartek", "piątek",
                 "sobota"],
        "shortDays": ["niedz.", "pon.", "wt.", "śr.", "czw.", "pt.", "sob."],
        "months": ["styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec",
                   "sierpień", "wrzesień", "październik", "listopad", "grudzień"],
        "shortMonths": _SHORT_MONTHS["pl"],
    },
}


def vega_locale(lang: str | None = None) -> dict:
    """Vega-Lite ``config.locale`` for the language: number and time formats for axes, labels
    and tooltips (English keeps Vega's defaults for time)."""
    lang = _lang(lang)
    out: dict = {"number": _VEGA_NUMBER[lang]}
    if lang in _VEGA_TIME:
        out["time"] = _VEGA_TIME[lang]
    return out
