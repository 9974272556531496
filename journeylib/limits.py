"""Hard limits on the work one request may ask for, each checked before the work starts.

A hosted dashboard runs files and links from people nobody controls; these caps keep one
request within a 2 GB host. Each limit is a named setting: its default here, overridden by the
environment variable of the same name (e.g. ``JOURNEY_MAX_STAGES=300``), read when checked.
A check that fails raises :class:`LimitError`, which carries a code, the limit and the size
asked for; the interface words it (``limits.<code>`` in the catalogue) in the reader's
language when it is shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from journeylib.errors import DataError
from journeylib.i18n import t

# Stage-order inference compares every pair of stages: 200 stages are 19,900 pairs.
MAX_STAGES = 200
# Funnel steps: the funnel query grows linearly with them, its run time too.
MAX_FUNNEL_STEPS = 20
# States of a Markov chain: the exact solution holds about five dense float64 matrices of
# states x states (5,000 states: 200 MB each), and solves one per channel and resample.
MAX_MARKOV_STATES = 5_000
# Exact Shapley values sum over 2^channels coalitions (15 channels: 32,768).
MAX_SHAPLEY_CHANNELS = 15

STAGES = "too_many_stages"
FUNNEL_STEPS = "too_many_funnel_steps"
MARKOV_STATES = "markov_too_large"
SHAPLEY_CHANNELS = "too_many_shapley_channels"
# Code -> the setting that bounds it.
SETTINGS: Mapping[str, str] = {
    STAGES: "MAX_STAGES",
    FUNNEL_STEPS: "MAX_FUNNEL_STEPS",
    MARKOV_STATES: "MAX_MARKOV_STATES",
    SHAPLEY_CHANNELS: "MAX_SHAPLEY_CHANNELS",
}


class LimitError(DataError):
    """Work refused because it would exceed a limit.

    ``code``: one of :data:`SETTINGS`; ``limit``: the limit in force; ``actual``: the size
    asked for (stages, steps, estimated states or channels); ``order``: the Markov order, for
    :data:`MARKOV_STATES`. ``str()`` is the sentence in the language current when it was
    raised; :meth:`words`
    words it in another.
    """

    def __init__(self, code: str, limit: int, actual: int, *, order: int | None = None) -> None:
        super().__init__(code=f"limits.{code}",
                         params={"limit": limit, "actual": actual, "order": order or 0})
        self.code = code
        self.limit = limit
        self.actual = actual
        self.order = order

    def words(self, lang: str | None = None) -> str:
        """The sentence in ``lang`` (default: the current language)."""
        return limit_sentence(self, lang)


def limit_sentence(error: LimitError, lang: str | None = None) -> str:
    """What ``error`` refused, the limit and what to do, in ``lang`` (default: current)."""
    return t(
        f"limits.{error.code}", lang, limit=error.limit, actual=error.actual,
        order=error.order or 0,
    )


def setting(code: str) -> int:
    """The limit in force for ``code``: the environment variable ``JOURNEY_<SETTING>`` when it
    holds a positive whole number, else this module's default."""
    name = SETTINGS[code]
    raw = os.environ.get(f"JOURNEY_{name}", "")
    return int(raw) if raw.strip().isdigit() and int(raw) > 0 else int(globals()[name])


def check(code: str, actual: int, *, order: int | None = None) -> None:
    """Raise :class:`LimitError` when ``actual`` is above the limit for ``code``."""
    limit = setting(code)
    if actual > limit:
        raise LimitError(code, limit, int(actual), order=order)


def markov_states(channels: int, order: int, touches: int | None = None) -> int:
    """At most how many states a Markov chain of ``order`` over ``channels`` can have: every
    sequence of 1..order channels, and no more than one per touch (``touches``, when known)."""
    states = sum(channels**k for k in range(1, order + 1))
    return states if touches is None else min(states, touches)


def check_markov(channels: int, order: int, touches: int | None = None) -> None:
    """Refuse a Markov chain whose state estimate (:func:`markov_states`) is above the limit."""
    check(MARKOV_STATES, markov_states(channels, order, touches), order=order)
