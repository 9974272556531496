"""Emotion scores and labels normalised to valence in [-1, 1]."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib.i18n import say
from journeylib.valence import detect_scale, normalise_emotion


def _valence(values: list[object], **kwargs) -> tuple[list[float], object]:
    parsed = normalise_emotion(pd.Series(values, dtype=object), **kwargs)
    return parsed.valence.tolist(), parsed


@pytest.mark.parametrize(
    ("scores", "scale", "expected"),
    [
        ([1, 2, 3, 4, 5], "1-5", [-1.0, -0.5, 0.0, 0.5, 1.0]),
        ([1, 4, 7, 5.5], "1-7", [-1.0, 0.0, 1.0, 0.5]),
        ([0, 5, 10, 8], "0-10", [-1.0, 0.0, 1.0, 0.6]),
        (["-1", "0", "0,5", "1"], "-1..1", [-1.0, 0.0, 0.5, 1.0]),
        ([-3, 0, 3, -1.5], "-3..3", [-1.0, 0.0, 1.0, -0.5]),
        ([0, 50, 100, 75], "0-100", [-1.0, 0.0, 1.0, 0.5]),
        ([-2, 0, 2, 1], "-2..2", [-1.0, 0.0, 1.0, 0.5]),
        ([1, 10, 5.5], "1-10", [-1.0, 1.0, 0.0]),
    ],
)
def test_scales_map_linearly_with_midpoint_at_zero(scores, scale, expected) -> None:
    valence, parsed = _valence(scores)
    assert parsed.kind == "scale"
    assert parsed.scale_name == scale
    assert parsed.scale == jl.SCALES[scale]
    assert parsed.scale_detected is True
    assert valence == pytest.approx(expected)
    assert parsed.score.tolist() == pytest.approx([float(str(s).replace(",", ".")) for s in scores])


def test_csat_one_to_five() -> None:
    valence, parsed = _valence(["1", "3", "5", "4,5"], column_name="CSAT")
    assert valence == [-1.0, 0.0, 1.0, 0.75]
    assert [say(n) for n in parsed.notes] == [
        "Emotion read as scores on a 1-5 scale (detected from the values); "
        "1 -> -1, 3 -> 0, 5 -> +1."
    ]


def test_column_name_hint_picks_the_scale() -> None:
    assert detect_scale(pd.Series([1.0, 3.0, 5.0]), "NPS") == "0-10"
    assert detect_scale(pd.Series([1.0, 3.0, 5.0]), "Customer CES") == "1-7"
    assert detect_scale(pd.Series([1.0, 3.0, 5.0]), "Score") == "1-5"
    # A hint that the values do not fit is ignored.
    assert detect_scale(pd.Series([0.0, 50.0, 90.0]), "CSAT") == "0-100"
    assert detect_scale(pd.Series([1.0, 500.0])) is None
    assert detect_scale(pd.Series([], dtype=float)) is None
    valence, parsed = _valence([0, 7, 10], column_name="NPS score")
    assert parsed.scale_name == "0-10"
    assert valence == pytest.approx([-1.0, 0.4, 1.0])


def test_scale_override_by_name_and_by_pair() -> None:
    valence, parsed = _valence([1, 3, 5], scale="0-10")
    assert valence == pytest.approx([-0.8, -0.4, 0.0])
    assert parsed.scale_detected is False
    assert "(as chosen)" in say(parsed.notes[0])
    valence, parsed = _valence([1, 3, 5], scale=(1, 3))
    assert valence[:2] == [-1.0, 1.0]
    assert math.isnan(valence[2])
    assert parsed.scale_name == "1..3"
    assert parsed.out_of_scale == 1
    with pytest.raises(ValueError, match="unknown emotion scale '1-4'"):
        normalise_emotion(pd.Series([1, 2]), scale="1-4")


def test_scores_fitting_no_scale_have_no_valence() -> None:
    valence, parsed = _valence([1, 2, 500])
    assert all(math.isnan(v) for v in valence)
    assert parsed.kind == "scale"
    assert parsed.scale_name is None
    assert say(parsed.notes[0]).startswith("Emotion scores run from 1 to 500, which fits no known")


def test_plutchik_and_polarity_labels_in_english() -> None:
    labels = ["joy", "Trust", "surprise", "anticipation", "sadness", "anger", "fear", "disgust",
              "Positive", " neutral ", "NEGATIVE"]
    valence, parsed = _valence(labels)
    assert valence == [1.0, 0.6, 0.1, 0.3, -0.7, -1.0, -0.8, -0.9, 1.0, 0.0, -1.0]
    assert parsed.kind == "labels"
    assert parsed.scale is None
    assert parsed.unknown == {}
    assert parsed.labels["trust"] == 0.6


def test_russian_and_polish_labels() -> None:
    labels = ["Радость", "гнев", "нейтрально", "Доверие", "страх", "радость.",
              "Radość", "złość", "pozytywnie", "Smutek", "neutralna", "zaskoczenie"]
    valence, parsed = _valence(labels)
    assert valence == [1.0, -1.0, 0.0, 0.6, -0.8, 1.0, 1.0, -1.0, 1.0, -0.7, 0.0, 0.1]
    assert set(parsed.labels) == {
        "радость", "гнев", "нейтрально", "доверие", "страх", "radość", "złość", "pozytywnie",
        "smutek", "neutralna", "zaskoczenie",
    }


def test_unknown_labels_are_counted_and_lexicon_extends() -> None:
    valence, parsed = _valence(["joy", "meh", "meh", "so-so"])
    assert valence[0] == 1.0
    assert all(math.isnan(v) for v in valence[1:])
    assert parsed.unknown == {"meh": 2, "so-so": 1}
    assert [say(n) for n in parsed.notes] == [
        "3 emotion values were not understood and have no valence: 'meh' (2), 'so-so' (1). "
        "Give them a valence in the label lexicon."
    ]
    valence, parsed = _valence(["joy", "Meh", "meh"], lexicon={"MEH": -0.2, "joy": 0.5})
    assert valence == [0.5, -0.2, -0.2]
    assert parsed.unknown == {}


def test_empty_values_have_no_valence() -> None:
    valence, parsed = _valence([1, 3, 5, "", None, np.nan, "  "])
    assert valence[:3] == [-1.0, 0.0, 1.0]
    assert all(math.isnan(v) for v in valence[3:])
    assert parsed.unknown == {}
    valence, parsed = _valence(["", None])
    assert parsed.kind == "none"
    assert all(math.isnan(v) for v in valence)


def test_load_keeps_raw_value_and_reports_scale() -> None:
    data = (
        b"Customer ID;Date;Stage;CSAT\n"
        b"c1;2026-03-01;A;1\n"
        b"c1;2026-03-02;B;4,5\n"
        b"c2;2026-03-03;A;\n"
        b"c2;2026-03-04;B;3\n"
    )
    ds = jl.load(data)
    frame = ds.table.order_by("source_row").to_pandas()
    assert frame["emotion_raw"].tolist()[:2] == ["1", "4,5"]
    assert frame["emotion_raw"].isna().tolist() == [False, False, True, False]
    assert frame["emotion"].tolist()[:2] == [1.0, 4.5]
    assert frame["valence"].tolist()[:2] == [-1.0, 0.75]
    assert frame["valence"].tolist()[3] == 0.0
    report = ds.report
    assert (report.emotion_kind, report.emotion_scale_name, report.emotion_scale) == (
        "scale", "1-5", (1, 5),
    )
    assert report.emotion_scale_detected is True
    assert report.decimal == ","

    wide = jl.load(data, emotion_scale="0-10")
    assert wide.report.emotion_scale_name == "0-10"
    assert wide.report.emotion_scale_detected is False
    valence = wide.table.order_by("source_row").to_pandas()["valence"].tolist()
    assert valence[:2] == pytest.approx([-0.8, -0.1])


def test_load_labels_with_user_lexicon() -> None:
    data = (
        "Customer ID,Date,Stage,Emotion\n"
        "c1,2026-03-01,A,joy\n"
        "c1,2026-03-02,B,meh\n"
        "c2,2026-03-03,A,гнев\n"
    ).encode()
    ds = jl.load(data)
    assert ds.report.emotion_kind == "labels"
    assert ds.report.emotion_labels == {"joy": 1.0, "гнев": -1.0}
    assert ds.report.emotion_unknown == {"meh": 1}
    assert any("'meh' (1)" in say(w) for w in ds.report.warnings)
    frame = ds.table.order_by("source_row").to_pandas()
    assert frame["emotion_raw"].tolist() == ["joy", "meh", "гнев"]
    assert frame["emotion"].isna().all()
    custom = jl.load(data, emotion_labels={"meh": -0.25})
    assert custom.report.emotion_unknown == {}
    assert custom.report.emotion_labels == {"joy": 1.0, "meh": -0.25, "гнев": -1.0}
    assert custom.table.order_by("source_row").to_pandas()["valence"].tolist() == [
        1.0, -0.25, -1.0,
    ]


def test_lexicon_values_are_valences() -> None:
    assert all(-1.0 <= v <= 1.0 for v in jl.LEXICON.values())
    for word in ("joy", "trust", "surprise", "anticipation", "sadness", "anger", "fear",
                 "disgust", "positive", "neutral", "negative"):
        assert word in jl.LEXICON
