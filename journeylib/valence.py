"""Emotion scores and labels normalised to a valence in [-1, 1].

A numeric scale maps linearly with its midpoint at 0 (CSAT 1-5: 1 -> -1, 3 -> 0, 5 -> 1).
Labels map through a lexicon (Plutchik's eight emotions, positive/neutral/negative, common
feelings) in English, Russian and Polish.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from journeylib.messages import Message
from journeylib.numeric import parse_numbers

# Known scales, tried from the narrowest; on equal width the earlier one wins.
SCALES: dict[str, tuple[float, float]] = {
    "-1..1": (-1, 1),
    "1-5": (1, 5),
    "-2..2": (-2, 2),
    "1-7": (1, 7),
    "-3..3": (-3, 3),
    "1-10": (1, 10),
    "0-10": (0, 10),
    "-5..5": (-5, 5),
    "0-100": (0, 100),
}
# Column names that say which scale a score uses.
SCALE_HINTS = {"nps": "0-10", "csat": "1-5", "ces": "1-7"}

_EN = {
    "joy": 1.0,
    "trust": 0.6,
    "anticipation": 0.3,
    "surprise": 0.1,
    "sadness": -0.7,
    "fear": -0.8,
    "anger": -1.0,
    "disgust": -0.9,
    "positive": 1.0,
    "neutral": 0.0,
    "negative": -1.0,
    "happy": 0.9,
    "delighted": 1.0,
    "delight": 1.0,
    "satisfied": 0.7,
    "excited": 0.9,
    "love": 1.0,
    "calm": 0.3,
    "interest": 0.4,
    "interested": 0.4,
    "ok": 0.0,
    "okay": 0.0,
    "confused": -0.5,
    "bored": -0.3,
    "disappointed": -0.7,
    "frustrated": -0.8,
    "annoyed": -0.7,
    "angry": -1.0,
    "sad": -0.7,
    "afraid": -0.8,
    "anxious": -0.6,
    "unhappy": -0.8,
    "dissatisfied": -0.7,
}
_RU = {
    "радость": 1.0,
    "доверие": 0.6,
    "ожидание": 0.3,
    "предвкушение": 0.3,
    "удивление": 0.1,
    "грусть": -0.7,
    "печаль": -0.7,
    "страх": -0.8,
    "гнев": -1.0,
    "злость": -1.0,
    "отвращение": -0.9,
    "позитив": 1.0,
    "позитивно": 1.0,
    "позитивная": 1.0,
    "позитивный": 1.0,
    "положительно": 1.0,
    "положительная": 1.0,
    "положительный": 1.0,
    "нейтрально": 0.0,
    "нейтральная": 0.0,
    "нейтральный": 0.0,
    "негатив": -1.0,
    "негативно": -1.0,
    "негативная": -1.0,
    "негативный": -1.0,
    "отрицательно": -1.0,
    "отрицательная": -1.0,
    "отрицательный": -1.0,
    "доволен": 0.7,
    "довольна": 0.7,
    "восторг": 1.0,
    "недоволен": -0.7,
    "недовольна": -0.7,
    "разочарование": -0.7,
    "раздражение": -0.7,
    "растерянность": -0.5,
    "спокойствие": 0.3,
    "интерес": 0.4,
}
_PL = {
    "radość": 1.0,
    "zaufanie": 0.6,
    "oczekiwanie": 0.3,
    "wyczekiwanie": 0.3,
    "zaskoczenie": 0.1,
    "smutek": -0.7,
    "strach": -0.8,
    "złość": -1.0,
    "gniew": -1.0,
    "wstręt": -0.9,
    "obrzydzenie": -0.9,
    "pozytywny": 1.0,
    "pozytywna": 1.0,
    "pozytywne": 1.0,
    "pozytywnie": 1.0,
    "neutralny": 0.0,
    "neutralna": 0.0,
    "neutralne": 0.0,
    "neutralnie": 0.0,
    "negatywny": -1.0,
    "negatywna": -1.0,
    "negatywne": -1.0,
    "negatywnie": -1.0,
    "zadowolony": 0.7,
    "zadowolona": 0.7,
    "zachwyt": 1.0,
    "niezadowolony": -0.7,
    "niezadowolona": -0.7,
    "rozczarowanie": -0.7,
    "frustracja": -0.8,
    "irytacja": -0.7,
    "dezorientacja": -0.5,
    "spokój": 0.3,
    "zainteresowanie": 0.4,
}
_EMOJI = {
    "😀": 1.0,
    "😃": 1.0,
    "😄": 1.0,
    "😊": 0.8,
    "🙂": 0.5,
    "😐": 0.0,
    "🙁": -0.5,
    "☹️": -0.7,
    "☹": -0.7,
    "😞": -0.7,
    "😠": -1.0,
    "😡": -1.0,
}
LEXICON: dict[str, float] = {**_EN, **_RU, **_PL, **_EMOJI}
# The built-in words of each interface language (the app lists the user's language first).
LEXICONS: dict[str, dict[str, float]] = {"en": _EN, "ru": _RU, "pl": _PL}


def normalise_label(label: object) -> str:
    """Lower-case a label and strip spaces and punctuation, keeping letters with diacritics."""
    text = unicodedata.normalize("NFC", str(label)).strip().lower().replace("ё", "е")
    if text in LEXICON:
        return text
    return re.sub(r"[\s\W_]+", " ", text).strip()


@dataclass
class ParsedEmotion:
    """Result of :func:`normalise_emotion`.

    ``valence``: floats in [-1, 1] (NaN where empty or not understood). ``score``: the numeric
    score as written (NaN for labels). ``kind``: ``"scale"``, ``"labels"`` or ``"none"``.
    ``scale``/``scale_name``: the numeric scale used. ``labels``: label -> valence for the labels
    found. ``unknown``: values not understood, with counts. ``out_of_scale``: numbers outside
    the scale (left without valence). ``notes``: messages for the user (worded by
    :func:`journeylib.i18n.say`); ``warnings``: those of them that ask the user to act (values
    without a valence).
    """

    valence: pd.Series
    score: pd.Series
    kind: str = "none"
    scale: tuple[float, float] | None = None
    scale_name: str | None = None
    scale_detected: bool = True
    labels: dict[str, float] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    out_of_scale: int = 0
    notes: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


def detect_scale(scores: pd.Series, column_name: str = "") -> str | None:
    """Name of the narrowest known scale holding every score (a column-name hint wins)."""
    scores = scores.dropna()
    if scores.empty:
        return None
    low, high = float(scores.min()), float(scores.max())
    hint = next(
        (s for word, s in SCALE_HINTS.items() if re.search(rf"(?i)\b{word}\b", column_name)), None
    )
    if hint and SCALES[hint][0] <= low and high <= SCALES[hint][1]:
        return hint
    fitting = [
        (b - a, i, name)
        for i, (name, (a, b)) in enumerate(SCALES.items())
        if a <= low and high <= b
    ]
    return min(fitting)[2] if fitting else None


def normalise_emotion(
    values: pd.Series,
    *,
    scale: str | tuple[float, float] | None = None,
    lexicon: dict[str, float] | None = None,
    column_name: str = "",
) -> ParsedEmotion:
    """Normalise an emotion column to valence in [-1, 1].

    ``scale`` overrides the detected numeric scale (a name from :data:`SCALES` or a
    ``(low, high)`` pair); ``lexicon`` adds or overrides label valences.
    """
    words = {**LEXICON, **{normalise_label(k): float(v) for k, v in (lexicon or {}).items()}}
    filled = values.notna()
    filled[filled] = values[filled].astype("str").str.strip() != ""
    scores, _ = parse_numbers(values.where(filled, None))
    valence = pd.Series(np.nan, index=values.index)
    result = ParsedEmotion(valence=valence, score=scores.where(filled))
    n_filled = int(filled.sum())
    if n_filled == 0:
        return result
    numeric = scores.notna() & filled
    if numeric.sum() >= 0.8 * n_filled:
        _apply_scale(result, scores[numeric], scale, column_name)
    else:
        result.score = pd.Series(np.nan, index=values.index)
    rest = filled & ~(numeric & (result.kind == "scale"))
    if rest.any():
        labels = values[rest].map(normalise_label)
        mapped = labels.map(words)
        valence[mapped.index] = mapped
        found = labels[mapped.notna()]
        result.labels = {lab: words[lab] for lab in sorted(found.unique())}
        if result.kind == "none" and len(found):
            result.kind = "labels"
        unknown = values[rest][mapped.isna()].astype(str).str.strip().value_counts()
        result.unknown = {str(k): int(v) for k, v in unknown.items()}
    if result.unknown:
        shown = [
            Message("load.emotion.unknown_value", {"value": k, "count": v})
            for k, v in list(result.unknown.items())[:8]
        ]
        _warn(result, Message("load.emotion.unknown",
                              {"n": sum(result.unknown.values()), "values": shown}))
    return result


def _warn(result: ParsedEmotion, message: Message) -> None:
    result.notes.append(message)
    result.warnings.append(message)


def _g(x: float) -> Message:
    """``x`` as ``format(x, "g")`` writes it (no trailing zeros), in the language it is worded
    in."""
    return Message("load.emotion.number", {"x": float(x)})


def _apply_scale(result: ParsedEmotion, scores: pd.Series, scale, column_name: str) -> None:
    if scale is None:
        name = detect_scale(scores, column_name)
        if name is None:
            result.notes.append(
                Message("load.emotion.no_scale", {
                    "low": _g(scores.min()), "high": _g(scores.max()),
                    "scales": ", ".join(SCALES),
                })
            )
            result.kind = "scale"
            return
        low, high = SCALES[name]
    else:
        result.scale_detected = False
        if isinstance(scale, str):
            if scale not in SCALES:
                raise ValueError(f"unknown emotion scale {scale!r}; known: {', '.join(SCALES)}")
            name, (low, high) = scale, SCALES[scale]
        else:
            low, high = float(scale[0]), float(scale[1])
            name = f"{low:g}..{high:g}"
    result.kind, result.scale, result.scale_name = "scale", (low, high), name
    inside = scores.between(low, high)
    mid, half = (low + high) / 2, (high - low) / 2
    result.valence[scores[inside].index] = (scores[inside] - mid) / half
    result.out_of_scale = int((~inside).sum())
    # A known scale is named by its code ("1-5"); a chosen pair in the language's numbers.
    shown = (
        name if name in SCALES
        else Message("load.emotion.scale_range", {"low": _g(low), "high": _g(high)})
    )
    key = "load.emotion.scale_detected" if result.scale_detected else "load.emotion.scale_chosen"
    result.notes.append(
        Message(key, {"scale": shown, "low": _g(low), "mid": _g(mid), "high": _g(high)})
    )
    if result.out_of_scale:
        _warn(result, Message("load.emotion.out_of_scale",
                              {"n": result.out_of_scale, "scale": shown}))
