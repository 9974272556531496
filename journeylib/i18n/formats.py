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


def _auto_decimals(x: float) -> int:
    size = abs(x)
    return 0 if size >= 100 or size == int(size) else 1 if size >= 10 else 2


def number(x: float | None, decimals: int | None = None, lang: str | None = None) -> str:
    """``x`` with the language's digit grouping and decimal separator; ``decimals=None`` picks
    0, 1 or 2 decimals by size (whole numbers get none). Missing values give an en dash."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
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
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    lang = _lang(lang)
    return _PERCENT[lang].format(number(x * 100, decimals, lang))


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
