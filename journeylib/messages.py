"""Messages: what the library has to tell the user, as a code and its parameters.

The library never words anything in a language: a load note, a warning or a reading is a
:class:`Message` whose ``code`` is a key of the translation catalogue (``"load.dates.evidence"``)
and whose ``params`` are values (numbers, dates, the user's own names, other messages). The app
words it in the interface language at the moment it shows it (:func:`journeylib.i18n.say`), so
the same loaded data reads right in every language and a language switch never re-reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """A code and its parameters, worded by :func:`journeylib.i18n.say`.

    ``params`` values are numbers, dates, text from the user's data (a ``str`` is shown as it
    is; a list of ``str`` is shown as quoted values joined by commas), other messages, or lists
    of messages (joined by commas). They are JSON-friendly, so messages are saved with a
    workspace as ``{"code": ..., "params": ...}``.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def from_saved(value: Any) -> Any:
    """``value`` read back from JSON, with every ``{"code", "params"}`` record a Message again
    (inside lists and parameters too); other values unchanged."""
    if isinstance(value, dict) and set(value) == {"code", "params"}:
        params = {k: from_saved(v) for k, v in value["params"].items()}
        return Message(code=value["code"], params=params)
    if isinstance(value, list):
        return [from_saved(v) for v in value]
    return value
