"""The touchpoint scorecard, its targets' Excel round trip, and the journey map's data."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import journeylib as jl
from journeylib import touchpoints as tp
from journeylib.journey_map import build_journey_map, describe_map
from journeylib.journeys import BUYER_JOURNEY as BUYER
from journeylib.journeys import CUSTOMER_JOURNEY as CUSTOMER

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "journeys.csv"


@pytest.fixture(scope="module")
def sample(sample_dataset: jl.Dataset) -> jl.Dataset:
    return sample_dataset


@pytest.fixture
def tiny() -> jl.Dataset:
    rows = [
        ("a", "2026-03-01 10:00", "Consideration", "Web", "web", 5, 0),
        ("a", "2026-03-02 10:00", "Purchase", "Order", "store", None, 1),
        ("b", "2026-03-01 10:00", "Consideration", "Web", "app", 1, 0),
        ("b", "2026-03-01 12:00", "Consideration", "Web", "web", 3, 0),
        ("c", "2026-03-01 10:00", "Purchase", "Order", "store", 4, 1),
        ("c", "2026-03-03 10:00", "Consideration", "Web", "web", None, 0),
        ("d", "2026-03-01 10:00", "Consideration", "Web", "web", None, 0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                        "channel", "emotion", "converted"])
    return jl.load(frame, stages=["Consideration", "Purchase"])


def test_scorecard_worked_example(tiny: jl.Dataset) -> None:
    targets = pd.DataFrame(
        {"touchpoint": ["Web", "Order"], "kpi": ["conversion_after", "valence"],
         "target": [0.5, 0.9], "owner": ["Web team", "Shop"]}
    )
    card = tp.scorecard(tiny, targets).set_index("touchpoint")
    web = card.loc["Web"]
    assert web["stage"] == "Consideration"
    assert web["channel_mix"] == "web 80%, app 20%"
    assert web["customers"] == 4
    assert web["reach"] == 1.0
    assert web["valence"] == pytest.approx((1 - 1 + 0) / 3)
    assert web["share_negative"] == pytest.approx(1 / 3)
    # a buys after Web; c bought before it; b and d never buy
    assert web["conversion_after"] == pytest.approx(1 / 4)
    assert (web["kpi"], web["kpi_value"], web["target"], web["owner"]) == (
        "conversion_after", 0.25, 0.5, "Web team"
    )
    assert web["status"] == "off target"
    order = card.loc["Order"]
    assert order["reach"] == 0.5
    assert order["valence"] == 0.5
    assert order["status"] == "off target"
    assert list(card.index) == ["Web", "Order"]  # journey order
    assert tp.describe_scorecard(card.reset_index()) == (
        "0 of 2 touchpoints with a target meet it. Off target: Web, Order."
    )


def test_status_follows_the_kpi_direction(tiny: jl.Dataset) -> None:
    targets = pd.DataFrame(
        {"touchpoint": ["Web", "Order"], "kpi": ["share_negative", "reach"],
         "target": [0.4, None], "owner": ["", ""]}
    )
    card = tp.scorecard(tiny, targets).set_index("touchpoint")
    assert card.loc["Web", "status"] == "on target"  # 33% negative is below a 40% ceiling
    assert card.loc["Order", "status"] == "no target"
    default = tp.scorecard(tiny)
    assert default["kpi"].tolist() == ["valence", "valence"]
    assert default["status"].tolist() == ["no target", "no target"]
    assert tp.describe_scorecard(default).startswith("2 touchpoints, none with a target yet")


def test_targets_round_trip_through_excel() -> None:
    targets = pd.DataFrame(
        {"touchpoint": ["Checkout", "Support call", "Ünïcode Ж"],
         "kpi": ["share_negative", "valence", "reach"],
         "target": [0.2, np.nan, 0.05], "owner": ["Anna", "", "Zoë"]}
    )
    data = tp.targets_to_excel(targets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Targets", "KPIs"]
    back = tp.targets_from_excel(data)
    pd.testing.assert_frame_equal(back, tp.clean_targets(targets))
    assert back["owner"].tolist() == ["Anna", "", "Zoë"]


def test_targets_from_excel_explains_bad_files() -> None:
    book = openpyxl.Workbook()
    book.active.append(["touchpoint", "kpi", "target", "owner"])
    book.active.append(["Checkout", "NPS", 50, "Anna"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(jl.DataError, match="Unknown KPI 'NPS'; choose one of valence"):
        tp.targets_from_excel(buffer.getvalue())
    with pytest.raises(jl.DataError, match="not an Excel workbook"):
        tp.targets_from_excel(b"touchpoint,kpi\n")
    with pytest.raises(jl.DataError, match="missing: owner"):
        tp.clean_targets(pd.DataFrame(columns=["touchpoint", "kpi", "target"]))
    with pytest.raises(jl.DataError, match="Targets must be numbers"):
        tp.clean_targets(pd.DataFrame({"touchpoint": ["A"], "kpi": ["valence"],
                                       "target": ["high"], "owner": [""]}))


def test_scorecard_on_the_sample(sample: jl.Dataset) -> None:
    card = tp.scorecard(sample).set_index("touchpoint")
    assert len(card) == 18
    checkout = card.loc["Checkout"]
    assert checkout["channel_mix"] == "direct 51%, search 12%, referral 11%"
    assert checkout["customers"] == 2019
    assert checkout["share_negative"] == pytest.approx(0.364, abs=0.005)
    assert card.loc["Support call", "channel_mix"] == "phone 100%"
    assert card["stage"].tolist()[0] == "Awareness"


def test_journey_map_on_the_sample(sample: jl.Dataset) -> None:
    targets = pd.DataFrame({"touchpoint": ["Checkout"], "kpi": ["share_negative"],
                            "target": [0.2], "owner": ["Payments team"]})
    jmap = build_journey_map(sample, targets)
    stages = jmap.stages
    assert stages["stage"].tolist() == list(sample.stages)
    assert stages["journey"].tolist() == [BUYER, BUYER, BUYER, CUSTOMER, CUSTOMER]
    assert (stages["quote_negative"] != "").all() and (stages["quote_positive"] != "").all()
    assert stages.loc[3, "channels"].startswith("direct")
    tps = jmap.touchpoints.set_index("touchpoint")
    assert tps.loc["Checkout", "flag"] == "pain"
    assert tps.loc["Checkout", "moment_of_truth"] == "purchase"
    assert tps.loc["Checkout", "owner"] == "Payments team"
    assert tps.loc["Checkout", "status"] == "off target"
    assert tps.loc["Support call", "moment_of_truth"] == "retention"
    assert set(tps.index[tps["flag"] == "delight"]).isdisjoint(tps.index[tps["flag"] == "pain"])
    assert (jmap.touchpoints.groupby("stage")["rank"].min() == 0).all()
    assert describe_map(jmap).endswith(
        "moments of truth: Checkout (purchase), Support call (retention)."
    )


def test_journey_map_chart_exports_png_svg_and_pdf(tiny: jl.Dataset) -> None:
    from journeylib.charts.journey_map import journey_map_chart
    from journeylib.export import export_chart

    jmap = build_journey_map(tiny, top=2)
    assert jmap.stages["journey"].tolist() == [BUYER, BUYER]  # purchase is the last stage
    chart = journey_map_chart(jmap.stages, jmap.touchpoints, focus="Purchase")
    assert export_chart(chart, "png").startswith(b"\x89PNG")
    svg = export_chart(chart, "svg", footnote="filters: segment: Business")
    assert b"<svg" in svg[:200] and b"filters: segment: Business" in svg
    assert export_chart(chart, "pdf").startswith(b"%PDF")


def test_scorecard_without_purchase_information() -> None:
    frame = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2026-03-01", "2026-03-02"],
                          "touchpoint": ["Ad", "Ad"], "emotion": [1, 5]})
    card = tp.scorecard(jl.load(frame))
    assert card["customers"].tolist() == [2]
    assert np.isnan(card.loc[0, "conversion_after"])
    assert card.loc[0, "valence"] == 0.0


def test_long_moment_of_truth_lines_fall_back_to_the_star(sample: jl.Dataset) -> None:
    """Bug: on the page view, Russian cards cut "момент истины: удержание" to "…удерж…"."""
    from journeylib import i18n
    from journeylib.charts.journey_map import journey_map_chart

    def why(chart) -> dict[str, str]:
        spec = chart.to_dict()
        rows = next(v for v in spec["datasets"].values() if v and "why" in v[0])
        return {r["touchpoint"]: r["why"] for r in rows}

    jmap = build_journey_map(sample)
    with i18n.language("ru"):
        narrow = why(journey_map_chart(jmap.stages, jmap.touchpoints, column_width=176,
                                       scale=0.9))
        middle = why(journey_map_chart(jmap.stages, jmap.touchpoints, column_width=190,
                                       scale=0.9))
        wide = why(journey_map_chart(jmap.stages, jmap.touchpoints, column_width=300))
    # measured at the size drawn (12 px at scale 0.9): 152 px of card hold neither line
    assert narrow["Support call"] == "★ удержание"
    assert narrow["Checkout"] == "★ покупка"
    assert middle["Checkout"] == "момент истины: покупка"  # fits, so it stays in words
    assert middle["Support call"] == "★ удержание"
    assert wide["Support call"] == "момент истины: удержание"
    english = why(journey_map_chart(jmap.stages, jmap.touchpoints, column_width=176,
                                    scale=0.9))
    assert english["Support call"] == "moment of truth: retention"
