"""The exception journeylib raises for input it cannot use, and its kind for an engine that
cannot run an analysis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeylib.i18n import number, t


class DataError(ValueError):
    """A file or table that cannot be used at all.

    The message says what is wrong and how to fix it; it is meant to be shown to the person who
    uploaded the file, as it is. An error raised with a ``code`` (a key of the translation
    catalogue, e.g. ``"errors.too_many_rows"``) also carries its ``params`` (numbers and the
    user's names, e.g. ``{"name": "orders.csv", "rows": 9000000, "limit": 3000000}``), so the
    app can word it in the language it shows it in (:meth:`words`); its plain message is worded
    in the language current when it was raised. A parameter ending in ``_bytes`` is a size in
    bytes and fills the placeholder without the suffix as megabytes (``{limit}`` = "500 MB"); a
    list of the user's names is written quoted, joined by commas.
    """

    def __init__(
        self, message: str = "", *, code: str | None = None, params: Mapping[str, Any] | None = None
    ) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(message or (word(code, self.params) if code else ""))

    def words(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the current language); an error raised without a
        code keeps the sentence it was raised with."""
        return word(self.code, self.params, lang) if self.code else str(self)


ENGINE_LACKS_OPERATION = "errors.engine_lacks_operation"


class EngineError(DataError):
    """The query engine lacks an operation an analysis needs: an Ibis backend without a
    translation for it, or without a conversion the library needs (time zones). The one
    definition of "an engine lacks an operation": code ``errors.engine_lacks_operation`` with
    ``params`` ``engine`` (the backend's name, e.g. ``"pyspark"``) and ``operation`` (Ibis's
    name of the operation, e.g. ``"ArgMin"``), also kept as attributes, so nothing is computed
    differently behind the user's back."""

    def __init__(self, engine: str, operation: str) -> None:
        super().__init__(code=ENGINE_LACKS_OPERATION,
                         params={"engine": engine, "operation": operation})
        self.engine = engine
        self.operation = operation

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.engine, self.operation))


def word(code: str, params: Mapping[str, Any], lang: str | None = None) -> str:
    """The catalogue entry ``code`` with ``params`` in ``lang``; ``*_bytes`` sizes as MB, lists
    as quoted values joined by commas."""
    filled: dict[str, Any] = {}
    for key, value in params.items():
        if key.endswith("_bytes") and isinstance(value, int | float):
            filled[key.removesuffix("_bytes")] = megabytes(value, lang)
        elif isinstance(value, list | tuple):
            filled[key] = ", ".join(t("load.quoted", lang, value=str(v)) for v in value)
        else:
            filled[key] = value
    return t(code, lang, **filled)


def megabytes(size: float, lang: str | None = None) -> str:
    """``size`` bytes in MB for a person: whole MB from 10 MB on, else two significant digits."""
    mb = size / 2**20
    if mb >= 10:
        return t("read.megabytes", lang, size=number(mb, 0, lang))
    digits = f"{mb:.2g}"
    decimals = len(digits.partition(".")[2]) if "e" not in digits else None
    return t("read.megabytes", lang, size=number(float(digits), decimals, lang))
