"""The one typed description of a funnel: its steps, order mode, entry rule, window, exclusions
and breakdown. The Funnel page builds it from its widgets, the shareable link carries it
(:meth:`FunnelSpec.to_params` / :meth:`FunnelSpec.from_params`), and a saved view stores those
link parameters; :func:`journeylib.funnel.funnel` takes its parts.

A step is a :class:`Step`: a stage, a touchpoint, a channel, or a combination of them (all must
match the same touchpoint). The same step may appear several times: its k-th appearance is the
k-th matching touchpoint ("the product page twice before buying"). Values are the user's own
text: they are compared as data, never written into a query's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

import ibis.expr.types as ir

from journeylib.durations import parse_window

STEP_FIELDS = ("stage", "touchpoint", "channel")
# Order modes: steps in order (others may come between), in order with nothing between, any k
# of the steps in any order (the suites' unordered funnel), and the older rule "step 1 first,
# then the others in any order".
MODES = ("ordered", "strict", "any", "any_after_first")
# Entry rules: every step-1 event starts an attempt and the one reaching furthest counts (as
# PostHog, Amplitude, Mixpanel and ClickHouse's windowFunnel do), or only the first entry.
ENTRIES = ("best", "first")
BREAKDOWNS = ("segment", "channel", "touchpoint")


@dataclass(frozen=True)
class Step:
    """A funnel step: the touchpoints whose ``stage``, ``touchpoint`` and ``channel`` equal the
    values given (None: any value). At least one value must be given."""

    stage: str | None = None
    touchpoint: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        if all(getattr(self, f) is None for f in STEP_FIELDS):
            raise ValueError("a funnel step needs a stage, a touchpoint or a channel")
        for name in STEP_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"a step's {name} must be text, not {value!r}")

    def fields(self) -> dict[str, str]:
        """The values set, in the order stage, touchpoint, channel."""
        return {f: getattr(self, f) for f in STEP_FIELDS if getattr(self, f) is not None}

    def matches(self, table: ir.Table) -> ir.BooleanValue:
        """The condition on ``table``'s rows (an Ibis expression; values are bound as data)."""
        condition = None
        for name, value in self.fields().items():
            one = table[name] == value
            condition = one if condition is None else condition & one
        return condition

    def only_stage(self) -> bool:
        """Whether the step is a stage and nothing else."""
        return self.stage is not None and self.touchpoint is None and self.channel is None

    def disjoint(self, other: Step) -> bool:
        """Whether no touchpoint can match both steps (they require different values of one
        field)."""
        return any(
            getattr(self, f) is not None
            and getattr(other, f) is not None
            and getattr(self, f) != getattr(other, f)
            for f in STEP_FIELDS
        )

    def name(self) -> str:
        """The step as shown: its values joined by " · " (``"Consideration · Product page"``);
        a stage-only step is its stage."""
        return " · ".join(self.fields().values())

    def to_text(self) -> str:
        """The step in a link: ``stage=Consideration&touchpoint=Product%20page`` (each value
        percent-encoded, so ``&`` and ``=`` in a value stay data)."""
        return "&".join(f"{k}={quote(v, safe='')}" for k, v in self.fields().items())

    @classmethod
    def from_text(cls, text: str) -> Step:
        """The step written by :meth:`to_text`; text without ``field=`` parts is a stage name
        (links made before steps had fields). Raises ValueError on an unknown field."""
        parts = text.split("&")
        pairs = [p.split("=", 1) for p in parts]
        if not all(len(p) == 2 for p in pairs):
            return cls(stage=text)
        values = {}
        for key, value in pairs:
            if key not in STEP_FIELDS or key in values:
                raise ValueError(f"a step has fields {', '.join(STEP_FIELDS)}, not {key!r}")
            values[key] = unquote(value)
        return cls(**values)


def as_steps(steps: Iterable[str | Step | Mapping[str, str]]) -> tuple[Step, ...]:
    """Steps from stage names, :class:`Step` values or mappings of their fields."""
    out = []
    for s in steps:
        if isinstance(s, Step):
            out.append(s)
        elif isinstance(s, str):
            out.append(Step(stage=s))
        elif isinstance(s, Mapping):
            unknown = set(s) - set(STEP_FIELDS)
            if unknown:
                raise ValueError(f"a step has fields {', '.join(STEP_FIELDS)}, not {unknown}")
            out.append(Step(**{k: v for k, v in s.items() if v not in (None, "")}))
        else:
            raise ValueError(f"a funnel step is a stage name or a Step, not {s!r}")
    return tuple(out)


@dataclass(frozen=True)
class Exclusion:
    """Leave out the attempts in which ``value`` (a stage or, with ``field="touchpoint"`` or
    ``"channel"``, a touchpoint or a channel) comes after step ``after_step`` and before step
    ``before_step`` (strictly between the two events; for an attempt that did not reach
    ``before_step``, any time after ``after_step`` and within the window). Steps are 1-based.
    With ``entry="first"`` the customer's only attempt is left out, so they leave the funnel;
    with ``entry="best"`` their best remaining attempt counts."""

    value: str
    after_step: int = 1
    before_step: int = 2
    field: str = "stage"

    def to_text(self) -> str:
        """The rule in a link: ``field:after:before:value`` (the value percent-encoded)."""
        return f"{self.field}:{self.after_step}:{self.before_step}:{quote(self.value, safe='')}"

    @classmethod
    def from_text(cls, text: str) -> Exclusion:
        """The rule written by :meth:`to_text`. Raises ValueError when it is not one."""
        parts = text.split(":", 3)
        if len(parts) != 4 or parts[0] not in STEP_FIELDS:
            raise ValueError(f"not an exclusion: {text!r}")
        return cls(unquote(parts[3]), int(parts[1]), int(parts[2]), parts[0])


@dataclass(frozen=True)
class FunnelSpec:
    """Everything that defines a funnel. ``steps``: :class:`Step` values in order; ``mode``:
    one of :data:`MODES`; ``entry``: one of :data:`ENTRIES`; ``window``: as
    :func:`journeylib.durations.parse_window` reads it (``"30d"``, ``"3mo"``) or None;
    ``exclusions``: :class:`Exclusion` rules; ``breakdown``: one of :data:`BREAKDOWNS` or None.
    """

    steps: tuple[Step, ...]
    mode: str = "ordered"
    entry: str = "best"
    window: str | None = None
    exclusions: tuple[Exclusion, ...] = field(default=())
    breakdown: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", as_steps(self.steps))
        object.__setattr__(self, "exclusions", tuple(self.exclusions))
        check_rules(self.steps, self.mode, self.entry)
        parse_window(self.window)
        if self.breakdown is not None and self.breakdown not in BREAKDOWNS:
            raise ValueError(f"cannot break a funnel down by {self.breakdown!r}")

    def options(self) -> dict:
        """Keyword arguments of :func:`journeylib.funnel.funnel` (besides the steps)."""
        return {"window": self.window, "mode": self.mode, "entry": self.entry,
                "by": self.breakdown, "exclude": self.exclusions}

    def to_params(self) -> dict[str, str | list[str]]:
        """Link parameters: ``step`` (repeated, :meth:`Step.to_text`), ``mode``, ``entry``,
        ``window`` (``"none"`` without), ``by`` (``"none"`` without) and ``exclude`` (repeated,
        :meth:`Exclusion.to_text`; absent without exclusions)."""
        params: dict[str, str | list[str]] = {
            "step": [s.to_text() for s in self.steps],
            "mode": self.mode,
            "entry": self.entry,
            "window": self.window or "none",
            "by": self.breakdown or "none",
        }
        if self.exclusions:
            params["exclude"] = [e.to_text() for e in self.exclusions]
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> FunnelSpec:
        """The spec of :meth:`to_params` (each value a list of the parameter's values). The
        older ``steps`` parameter (stage names) is read when there is no ``step``. Raises
        ValueError on anything it cannot read."""
        def one(name: str, default: str | None) -> str | None:
            values = list(params.get(name, ()))
            return values[0] if values else default

        texts = list(params.get("step", ())) or list(params.get("steps", ()))
        steps = tuple(Step.from_text(s) for s in texts)
        window, by = one("window", "none"), one("by", "none")
        return cls(
            steps=steps,
            mode=one("mode", "ordered"),
            entry=one("entry", "best"),
            window=None if window == "none" else window,
            exclusions=tuple(Exclusion.from_text(e) for e in params.get("exclude", ())),
            breakdown=None if by == "none" else by,
        )


def check_rules(steps: Sequence[Step], mode: str, entry: str) -> None:
    """Raise ValueError when the steps, mode and entry rule do not go together: at least one
    step, a known mode and entry, and in ``"strict"`` mode steps that are distinct stages (a
    strict funnel follows the customer's stages with repeats collapsed)."""
    if not steps:
        raise ValueError("a funnel needs at least one step")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if entry not in ENTRIES:
        raise ValueError(f"entry must be one of {', '.join(ENTRIES)}, not {entry!r}")
    if mode == "strict":
        stages = [s.stage for s in steps]
        if not all(s.only_stage() for s in steps) or len(set(stages)) != len(stages):
            raise ValueError("a strict funnel needs steps that are distinct stages")
