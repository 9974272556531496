"""Interface languages: the translation catalogue, plural forms and locale formatting.

Every text the dashboard shows comes from the catalogue in ``journeylib/locales/<lang>/*.toml``
(one file per area of the interface; a key ``title`` in ``funnel.toml`` is ``"funnel.title"``).
An entry is either a string with ``{named}`` placeholders or a plural table with the forms the
language needs (``one``/``other`` in English; ``one``/``few``/``many``/``other`` in Russian and
Polish), chosen by the parameter ``n``.

The current language is a context variable: the app sets it at the start of every run (each
Streamlit session runs in its own thread, so sessions never see each other's language), and
library functions that produce text (``describe_*``, chart titles, error messages) use it unless
given ``lang=`` explicitly.

Placeholders are formatted for the language: integers get the locale's digit grouping, floats
its decimal separator, ``{x:.0%}`` becomes a locale percentage, ``{x:g}`` a number without
trailing zeros, and dates the locale's date.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import string
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from journeylib.i18n import formats
from journeylib.i18n.formats import date, month, number, percent, share
from journeylib.messages import Message

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "catalogue",
    "date",
    "filters_text",
    "get_language",
    "label",
    "language",
    "month",
    "number",
    "percent",
    "plural_category",
    "say",
    "set_language",
    "t",
]

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "pl": "Polski"}
DEFAULT_LANGUAGE = "en"
PLURAL_FORMS: dict[str, tuple[str, ...]] = {
    "en": ("one", "other"),
    "ru": ("one", "few", "many", "other"),
    "pl": ("one", "few", "many", "other"),
}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)


def set_language(lang: str) -> None:
    """Make ``lang`` the language of texts produced from now on in this thread/context."""
    _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    """The current language code (``"en"``, ``"ru"`` or ``"pl"``)."""
    return _current.get()


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Use ``lang`` inside the ``with`` block, then restore the previous language."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def _is_plural(entry: Mapping) -> bool:
    return "other" in entry and set(entry) <= {"zero", "one", "two", "few", "many", "other"}


def _flatten(prefix: str, table: Mapping, out: dict[str, str | dict[str, str]]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, Mapping) and not _is_plural(value):
            _flatten(name, value, out)
        else:
            out[name] = dict(value) if isinstance(value, Mapping) else value


@cache
def catalogue(lang: str) -> dict[str, str | dict[str, str]]:
    """Every entry of ``lang``: key -> text, or key -> {plural form: text}."""
    out: dict[str, str | dict[str, str]] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.toml")):
        # labels_<area>.toml files all add to the "labels" section used by label().
        prefix = "labels" if path.stem.startswith("labels") else path.stem
        with path.open("rb") as f:
            entries: dict[str, str | dict[str, str]] = {}
            _flatten(prefix, tomllib.load(f), entries)
        if clash := sorted(set(entries) & set(out)):
            raise ValueError(f"{path}: keys defined twice in {lang}: {', '.join(clash)}")
        out.update(entries)
    return out


def plural_category(n: float, lang: str) -> str:
    """The CLDR plural category of ``n`` in ``lang``: one, few, many or other."""
    if lang not in ("ru", "pl"):
        return "one" if n == 1 else "other"
    if n != int(n):
        return "other"
    i = abs(int(n))
    if lang == "ru" and i % 10 == 1 and i % 100 != 11:
        return "one"
    if lang == "pl" and i == 1:
        return "one"
    if 2 <= i % 10 <= 4 and not 12 <= i % 100 <= 14:
        return "few"
    return "many"


class _LocaleFormatter(string.Formatter):
    """``str.format`` with numbers, percentages and dates written the language's way."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float | dt.date):
            return super().format_field(value, format_spec)
        if isinstance(value, dt.date):
            return date(value, self.lang) if not format_spec else format(value, format_spec)
        decimals = None
        spec = format_spec.lstrip(",+")
        if spec.startswith(".") and spec[-1:] in "f%":
            decimals = int(spec[1:-1])
        sign = ""
        if format_spec.startswith("+"):
            # A signed value: "+" above zero, a true minus (U+2212) below, none on what rounds
            # to zero (never "+0,00" or "-0,00").
            scale = 100 if spec.endswith("%") else 1
            shown = value * scale if decimals is None else round(value * scale, decimals)
            sign = "+" if shown > 0 else "\u2212" if shown < 0 else ""
            value = abs(value) if shown else 0.0
        if spec == "%":  # a bare "%": the one share rule of every table and chart label
            return sign + share(value, self.lang)
        if spec.endswith("%"):
            return sign + percent(value, decimals or 0, self.lang)
        if spec == "g":  # as format(x, "g") writes it: no trailing zeros
            digits = format(value, "g")
            return sign + number(value, None if "e" in digits else len(digits.partition(".")[2]),
                                 self.lang)
        if spec and spec[-1:] not in "f" and spec != "d":
            return super().format_field(value, format_spec)
        if isinstance(value, int) and decimals is None:
            decimals = 0
        return sign + number(value, decimals, self.lang)


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text of ``key`` in ``lang`` (default: the current language) with ``params`` filled in.

    A plural entry picks its form by ``params["n"]``. An entry missing from a language falls
    back to English (the catalogue test keeps that from happening); an unknown key raises
    ``KeyError``.
    """
    lang = lang or get_language()
    entry = catalogue(lang).get(key)
    if entry is None:
        entry = catalogue(DEFAULT_LANGUAGE)[key]
        lang_used = DEFAULT_LANGUAGE
    else:
        lang_used = lang
    if isinstance(entry, dict):
        if "n" not in params:
            raise KeyError(f"plural entry {key!r} needs the parameter n")
        form = plural_category(params["n"], lang_used)
        entry = entry.get(form) or entry["other"]
    return _LocaleFormatter(lang).vformat(entry, (), params) if params else entry


def label(value: object, lang: str | None = None) -> str:
    """A value the library writes into results ("Other", "Buyer journey", "not enough data"...)
    in the language, from the ``labels`` section of the catalogue; other values (the user's own
    stage, channel and touchpoint names) are returned as they are."""
    text = str(value)
    key = "labels." + formats.label_key(text)
    entries = catalogue(lang or get_language())
    found = entries.get(key)
    if found is None:
        found = catalogue(DEFAULT_LANGUAGE).get(key)
    return found if isinstance(found, str) else text


def say(
    message: Message | Sequence[Message] | str | None, lang: str | None = None, /, sep: str = " "
) -> str:
    """A :class:`~journeylib.messages.Message` (or several, joined by ``sep``) worded in ``lang``
    (default: the current language); "" for None.

    Parameters that are messages are worded too; a list of the user's values is written in the
    language's quotes, joined by commas. A plain ``str`` is returned as it is: notes saved in
    workspaces before messages existed are sentences already.
    """
    if message is None:
        return ""
    if isinstance(message, str):
        return message
    if not isinstance(message, Message):
        return sep.join(say(m, lang) for m in message)
    params = {name: _worded(value, lang) for name, value in message.params.items()}
    return t(message.code, lang, **params)


def _worded(value: Any, lang: str | None) -> Any:
    if isinstance(value, Message):
        return say(value, lang)
    if isinstance(value, list | tuple):
        if all(isinstance(v, Message) for v in value):
            return ", ".join(say(v, lang) for v in value)
        return ", ".join(t("load.quoted", lang, value=str(v)) for v in value)
    return value


def filters_text(filters: Any, lang: str | None = None) -> str:
    """The active :class:`~journeylib.filters.Filters` (or None) in one line in ``lang``, for
    pages and exports ("" when none), e.g. ``"1 Mar 2026 – 30 Jun 2026; channels: email, web"``."""
    from journeylib.filters import describe_filters  # here, so i18n loads without the engine

    return say(describe_filters(filters), lang, sep="; ")
