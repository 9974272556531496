"""The correlation review's fixes: later funnel steps' touchpoints and channels are the funnel, not
a finding (left out, with a note when nothing is left); the headline names the table's top row
with in-sentence property words in RU/PL; the chart draws one labelled row per value."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

import journeylib as jl
from journeylib.charts.correlation import ROW_PX, correlation_chart
from journeylib.correlation import (
    COLUMNS,
    correlation_notes,
    describe_correlation,
    funnel_correlation,
)
from journeylib.export import fit_for
from journeylib.funnel_spec import Step
from journeylib.i18n import language, say, t
from tests.layout_check import overlapping, text_boxes

A, C, P = "Awareness", "Consideration", "Purchase"
STEPS = [A, C, P]


def _planted(seed: int = 3, n: int = 300) -> jl.Dataset:
    """Every converter passes "Cart" (a Consideration touchpoint, step 2); non-converters pass it
    rarely. Converters watched "Webinar" (an Awareness touchpoint after entering) more often."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2026-03-02 09:00")
    for k in range(n):
        cid, t0 = f"c{k}", start + pd.Timedelta(hours=int(rng.integers(0, 2000)))
        converts = rng.random() < 0.4

        def row(hours, stage, touchpoint, channel, cid=cid, t0=t0, k=k):
            rows.append({"customer_id": cid, "timestamp": str(t0 + pd.Timedelta(hours=hours)),
                         "stage": stage, "touchpoint": touchpoint, "channel": channel,
                         "segment": "Business" if k % 2 else "Private"})

        row(0, A, "Ad", "display")
        if rng.random() < (0.6 if converts else 0.2):
            row(2, A, "Webinar", "email")
        if converts or rng.random() < 0.1:
            row(5, C, "Cart", "web")
        if converts:
            row(30, P, "Order", "web")
    return jl.load(pd.DataFrame(rows), stages=STEPS)


def test_a_later_steps_touchpoint_is_left_out_and_the_entry_stages_is_found() -> None:
    ds = _planted()
    # With Consideration outside the funnel, "Cart" and its channel dominate: every converter
    # has them.
    outside = funnel_correlation(ds, [A, P])
    first = set(zip(outside["property"][:2], outside["value"][:2], strict=True))
    assert first == {("touchpoint", "Cart"), ("channel", "web")}
    assert (outside["share_of_converters"][:2] == 1.0).all()
    # As step 2 it is the funnel itself: its touchpoint and its channel are left out.
    out = funnel_correlation(ds, STEPS)
    values = set(zip(out["property"], out["value"], strict=True))
    assert ("touchpoint", "Cart") not in values and ("channel", "web") not in values
    # The webinar and its channel (every webinar is an email) lead, with the same counts.
    first = set(zip(out["property"][:2], out["value"][:2], strict=True))
    assert first == {("touchpoint", "Webinar"), ("channel", "email")}
    assert out["significant"][:2].all() and (out["direction"][:2] == "over").all()
    assert out.attrs["only_funnel_steps"] == []
    assert correlation_notes(out) == []


def test_steps_defined_by_touchpoint_leave_out_their_events_only() -> None:
    """A step by touchpoint leaves out events with that touchpoint, whatever their stage; the
    other touchpoints of the same stage still count."""
    ds = _planted()
    steps = [Step(stage=A, touchpoint="Ad"), Step(touchpoint="Cart"), Step(stage=P)]
    out = funnel_correlation(ds, steps)
    assert "Cart" not in set(out["value"])
    assert "Webinar" in set(out["value"][:2])


def test_segments_stay_even_when_written_only_on_later_steps() -> None:
    rows = []
    for k in range(12):
        cid, converts = f"c{k}", k < 6
        rows.append({"customer_id": cid, "timestamp": "2026-03-02 09:00", "stage": A,
                     "touchpoint": "Ad"})
        rows.append({"customer_id": cid, "timestamp": "2026-03-02 10:00", "stage": C,
                     "touchpoint": "Cart", "segment": "VIP" if converts else "Basic"})
        if converts:
            rows.append({"customer_id": cid, "timestamp": "2026-03-02 11:00", "stage": P,
                         "touchpoint": "Order"})
    ds = jl.load(pd.DataFrame(rows), stages=STEPS)
    out = funnel_correlation(ds, STEPS, min_customers=1)
    assert set(out.loc[out["property"] == "segment", "value"]) == {"VIP", "Basic"}
    assert set(out.loc[out["property"] == "touchpoint", "value"]) == {"Ad"}


def _only_steps() -> jl.Dataset:
    """The entry touchpoints carry no touchpoint or channel; every other one is a later step."""
    rows = []
    for k in range(20):
        cid = f"c{k}"
        rows.append({"customer_id": cid, "timestamp": "2026-03-02 09:00", "stage": A,
                     "segment": "Business" if k % 3 else "Private"})
        rows.append({"customer_id": cid, "timestamp": "2026-03-02 10:00", "stage": C,
                     "touchpoint": "Cart", "channel": "web"})
        if k < 8:
            rows.append({"customer_id": cid, "timestamp": "2026-03-02 11:00", "stage": P,
                         "touchpoint": "Order", "channel": "web"})
    return jl.load(pd.DataFrame(rows), stages=STEPS)


def test_nothing_left_outside_the_later_steps_is_said_with_a_code() -> None:
    ds = _only_steps()
    out = funnel_correlation(ds, STEPS, min_customers=1)
    assert set(out["property"]) == {"segment"}
    assert out.attrs["only_funnel_steps"] == ["touchpoint", "channel"]
    notes = correlation_notes(out)
    assert [n.code for n in notes] == ["correlation.note.only_funnel_steps"] * 2
    assert "Nothing to compare for touchpoint: every value" in say(notes[0], "en")
    assert "choose fewer steps" in say(notes[1], "en")
    assert "«точка контакта»" in say(notes[0], "ru")
    assert "„kanał”" in say(notes[1], "pl")
    # Only touchpoints asked for: the frame is empty and the reading says why.
    alone = funnel_correlation(ds, STEPS, min_customers=1, properties=["touchpoint"])
    assert alone.empty and list(alone.columns) == COLUMNS
    reading = describe_correlation(alone)
    assert reading.code == "correlation.reading.only_funnel_steps"
    for lang, words in (("en", "choose fewer steps"), ("ru", "выберите меньше шагов"),
                        ("pl", "wybierz mniej kroków")):
        assert words in say(reading, lang)
    assert correlation_notes(alone) == []  # the reading already says it
    # Fewer steps: the touchpoints count again.
    two = funnel_correlation(ds, [A, P], min_customers=1)
    assert "Cart" in set(two["value"]) and two.attrs["only_funnel_steps"] == []


def test_an_empty_property_is_not_blamed_on_the_funnel() -> None:
    """A property with no value at all (no channel in the file) is not reported as left out."""
    rows = [{"customer_id": f"c{k}", "timestamp": "2026-03-02 09:00", "stage": A,
             "touchpoint": "Ad"} for k in range(4)]
    rows += [{"customer_id": f"c{k}", "timestamp": "2026-03-02 10:00", "stage": P,
              "touchpoint": "Order"} for k in range(2)]
    ds = jl.load(pd.DataFrame(rows), stages=[A, P])
    out = funnel_correlation(ds, [A, P], min_customers=1)
    assert out.attrs["only_funnel_steps"] == []


@pytest.mark.parametrize("steps", [None, ["Awareness", "Advocacy"], ["Awareness", "Purchase"]])
def test_the_headline_names_the_tables_top_row(sample_dataset, steps) -> None:
    out = funnel_correlation(sample_dataset, steps)
    message = describe_correlation(out)
    top = out.iloc[0]
    assert top["significant"]
    assert message.code == f"correlation.reading.top_{top['direction']}"
    assert message.params["value"] == top["value"]
    assert message.params["property"].code.endswith(f".{top['property']}")
    assert message.params["ratio"] == pytest.approx(top["odds_ratio"])
    # The ranking: significant rows first, by p-value.
    assert out["p_value"].is_monotonic_increasing
    flags = out["significant"].astype(bool).tolist()
    assert flags == sorted(flags, reverse=True)
    with language("en"):
        spec = correlation_chart(out).to_dict()
    first_label = spec["layer"][0]["encoding"]["y"]["axis"]["labelExpr"]
    assert f"Touchpoint: {top['value']}" in first_label or f"Channel: {top['value']}" in first_label


def test_the_default_funnel_has_no_structural_findings(sample_dataset) -> None:
    """All five stages: Purchase's "Order placed" and "Checkout" are a step, not a finding."""
    out = funnel_correlation(sample_dataset)
    assert not {"Order placed", "Checkout", "Delivery"} & set(out["value"])
    assert out["odds_ratio"].max() < 100


def _frame(prop: str, value: str, ratio: float) -> pd.DataFrame:
    row = dict.fromkeys(COLUMNS, 1)
    row.update(property=prop, value=value, odds_ratio=ratio, p_value=0.001, q_value=0.001,
               significant=True, direction="over" if ratio > 1 else "under", test="chi_square")
    return pd.DataFrame([row], columns=COLUMNS)


CAPITALISED = {"ru": ("Точка контакта", "Канал", "Сегмент"),
               "pl": ("Punkt styku", "Kanał", "Segment")}


@pytest.mark.parametrize("lang", ["ru", "pl", "en"])
@pytest.mark.parametrize("prop", ["touchpoint", "channel", "segment"])
def test_the_reading_uses_in_sentence_property_words(lang, prop) -> None:
    for ratio in (3.0, 0.3):
        text = say(describe_correlation(_frame(prop, "Xyz", ratio)), lang)
        after = (text.split("—", 1)[1] if lang != "en"
                 else text.split("“")[0].rsplit(": ", 1)[1]).lstrip()
        assert after[0].islower(), text
        for word in CAPITALISED.get(lang, ("Touchpoint", "Channel", "Segment")):
            assert word not in text, text


def _symbol_ys(spec: dict) -> list[float]:
    """The y of every point drawn (absolute, like layout_check's text boxes)."""
    scene = vlc.vegalite_to_scenegraph(json.dumps(spec))
    ys: list[float] = []

    def walk(mark: dict, y0: float) -> None:
        for item in mark.get("items", []):
            if mark.get("marktype") == "symbol" and mark.get("role") == "mark":
                ys.append(y0 + float(item.get("y", 0)))
            elif "items" in item:
                for child in item["items"]:
                    walk(child, y0 + float(item.get("y", 0) or 0))

    walk(scene["scenegraph"], float(scene.get("origin", [0, 0])[1]))
    return ys


def _rows(n: int, same_label: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "property": ["touchpoint" if k % 3 else "channel" for k in range(n)],
        "value": ["Same" if same_label else f"Value number {k}" for k in range(n)],
        "odds_ratio": np.exp(rng.normal(0, 1.5, n)),
    })
    frame["ci_low"], frame["ci_high"] = frame["odds_ratio"] / 2, frame["odds_ratio"] * 2
    frame["direction"] = np.where(frame["odds_ratio"] > 1, "over", "under")
    frame["significant"] = [k % 2 == 0 for k in range(n)]
    for column in ("share_of_converters", "share_of_non_converters", "q_value"):
        frame[column] = 0.5
    return frame


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
@pytest.mark.parametrize("n", [3, 20])
def test_every_chart_row_has_its_label_on_it(lang, n) -> None:
    frame = _rows(n)
    with language(lang):
        chart = correlation_chart(frame)
        layouts = [chart.properties(width=600).to_dict(), fit_for(chart, "slide").spec]
        words = {p: t(f"correlation.property.{p}", lang)
                 for p in ("touchpoint", "channel")}
    expected = [f"{words[p]}: {v}" for p, v in zip(frame["property"], frame["value"],
                                                    strict=True)]
    for spec in layouts:
        boxes, _ = text_boxes(spec)
        labels = [b for b in boxes if b.role == "axis-label" and b.text in expected]
        assert [b.text for b in sorted(labels, key=lambda b: b.y1)] == expected
        assert overlapping(boxes) == []
        points = _symbol_ys(spec)
        assert len(points) == n
        for box, y in zip(sorted(labels, key=lambda b: b.y1), sorted(points), strict=True):
            assert box.y1 - 1 <= y <= box.y2 + 1, (box.text, y)


def test_rows_that_read_alike_are_still_two_labelled_rows() -> None:
    frame = _rows(2, same_label=True).assign(property="touchpoint")
    with language("en"):
        spec = correlation_chart(frame).properties(width=600).to_dict()
    boxes, _ = text_boxes(spec)
    assert [b.text for b in boxes if b.role == "axis-label"].count("Touchpoint: Same") == 2
    assert len(_symbol_ys(spec)) == 2
    # In the app too: a fixed height per row, and no label thinned out by a theme.
    assert spec["height"] == {"step": ROW_PX}
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelOverlap"] is False
