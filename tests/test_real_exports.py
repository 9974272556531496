"""A shop's real order export, shaped as such exports are: ratings on few rows, a converted flag
on the order row only, cancelled orders flagged 0 with their revenue, repeat buyers. Every
analysis must run on it with plain numbers, count the same conversions, and read honestly."""

from __future__ import annotations

import decimal
import io

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import journeylib as jl
from journeylib import emotion as em
from journeylib import i18n, journeys
from journeylib import moments as mo
from journeylib.attribution import ALL
from journeylib.durations import duration_seconds, window_seconds
from journeylib.journey_map import build_journey_map
from journeylib.paths_table import path_table
from journeylib.report import analysis_sheets
from tests.apptest import APP

STAGES = ["Awareness", "Consideration", "Purchase", "Delivery", "Review"]
# Models that share each conversion out (participation gives every channel a whole one).
MODELS = [m for m in ALL if m != "participation"]


def real_export(customers: int = 200, seed: int = 7) -> pd.DataFrame:
    """Touchpoints of ``customers`` shoppers: visits and product views from marketing channels,
    orders (15% cancelled: flag 0, revenue kept), a payment row without flag or revenue,
    deliveries, and a review score 1-5 on about 40% of delivered orders; a few repeat orders."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for i in range(customers):
        cid = f"C{i:04d}"
        when = start + pd.Timedelta(days=int(rng.integers(0, 300)))
        for _ in range(int(rng.integers(1, 4))):
            when += pd.Timedelta(hours=int(rng.integers(1, 48)))
            rows.append((cid, when, "Awareness", rng.choice(["search", "email", "social",
                                                              "direct"]), "Visit", None, None,
                         None))
        when += pd.Timedelta(hours=int(rng.integers(1, 24)))
        rows.append((cid, when, "Consideration", "web", "Product view", None, None, None))
        for _ in range(1 if rng.random() < 0.85 else 2):
            if rng.random() > 0.8:
                break
            when += pd.Timedelta(hours=int(rng.integers(1, 24)))
            cancelled = rng.random() < 0.15
            revenue = float(rng.integers(20, 200))
            rows.append((cid, when, "Purchase", "web", "Order", None, 0 if cancelled else 1,
                         revenue))
            rows.append((cid, when + pd.Timedelta(minutes=5), "Purchase", "web", "Payment",
                         None, None, None))
            if cancelled:
                continue
            when += pd.Timedelta(days=int(rng.integers(1, 10)))
            rows.append((cid, when, "Delivery", "courier", "Delivery", None, None, None))
            if rng.random() < 0.4:
                when += pd.Timedelta(days=1)
                rows.append((cid, when, "Review", "web", "Review", int(rng.integers(1, 6)),
                             None, None))
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "channel",
                                       "touchpoint", "review_score", "converted", "revenue"])


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    return real_export()


@pytest.fixture(scope="module")
def ds(export: pd.DataFrame) -> jl.Dataset:
    return jl.load(export, mapping={"emotion": "review_score"}, stages=STAGES,
                   purchase_stage="Purchase")


def _flagged(export: pd.DataFrame) -> pd.DataFrame:
    return export[export["converted"] == 1]


def _no_decimal(value: object) -> None:
    """No ``Decimal`` in a frame (cells of every column), a dict or a plain value."""
    if isinstance(value, pd.DataFrame):
        for column in value.columns:
            assert not value[column].map(lambda v: isinstance(v, decimal.Decimal)).any(), column
    elif isinstance(value, dict):
        for item in value.values():
            _no_decimal(item)
    else:
        assert not isinstance(value, decimal.Decimal)


def test_minimal_case_of_unrated_touchpoints_gives_plain_numbers() -> None:
    df = pd.DataFrame({
        "customer_id": ["a", "a", "b", "b"],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03"]),
        "stage": ["Purchase", "Service", "Purchase", "Service"],
        "touchpoint": ["Order", "Review", "Order", "Review"],
        "emotion": [None, 5, None, 1],
    })
    small = jl.load(df, stages=["Purchase", "Service"], purchase_stage="Purchase")
    results = {
        "pain": jl.pain_points(small, min_n=1),
        "delight": jl.delight_points(small, min_n=1),
        "curve": jl.emotion_curve(small, by="touchpoint"),
        "channels": jl.emotion_curve(small, by="channel"),
        "score": jl.scorecard(small),
    }
    for frame in results.values():
        _no_decimal(frame)
    curve = results["curve"].set_index("touchpoint")
    assert curve.loc["Review", "valence_mean"] == pytest.approx(0.0)
    assert "Order" not in curve.index  # no rating there
    assert results["score"].set_index("touchpoint").loc["Review", "valence"] == pytest.approx(0.0)
    jmap = build_journey_map(small)
    _no_decimal(jmap.stages)
    _no_decimal(jmap.touchpoints)
    sheets = analysis_sheets(small)
    for frame in sheets.values():
        _no_decimal(frame)
    book = jl.excel_report(sheets, title="shop")
    assert pd.read_excel(io.BytesIO(book), sheet_name=None)


def test_the_flag_is_the_conversion_rule(ds: jl.Dataset) -> None:
    assert journeys.conversion_rules(ds) == ["flag", "revenue", "purchase_stage"]
    assert journeys.conversion_rule(ds) == "flag"
    assert journeys.conversion_rule(journeys.with_conversion_rule(ds, "revenue")) == "revenue"
    with pytest.raises(ValueError, match="rule must be one of"):
        journeys.with_conversion_rule(ds, "orders")


def test_rule_falls_back_from_flag_to_revenue_to_stage(export: pd.DataFrame) -> None:
    no_flag = jl.load(export.drop(columns="converted"), stages=STAGES,
                      purchase_stage="Purchase", mapping={"emotion": "review_score"})
    assert journeys.conversion_rule(no_flag) == "revenue"
    # a flag rule chosen for data without the flag falls back to the default
    assert journeys.conversion_rule(journeys.with_conversion_rule(no_flag, "flag")) == "revenue"
    bare = jl.load(export.drop(columns=["converted", "revenue"]), stages=STAGES,
                   purchase_stage="Purchase", mapping={"emotion": "review_score"})
    assert journeys.conversion_rule(bare) == "purchase_stage"
    nothing = jl.load(export.drop(columns=["converted", "revenue", "stage"]),
                      mapping={"emotion": "review_score"})
    assert journeys.conversion_rule(nothing) == journeys.NO_RULE
    with pytest.raises(jl.DataError):
        mo.moments_of_truth(nothing)
    # no conversion information: every analysis still runs, counting none
    assert jl.top_paths(nothing, "touchpoint")["converted"].sum() == 0
    assert jl.attribution(nothing, ["last_touch", "markov"], n_boot=0)["conversions"].sum() == 0
    assert jl.scorecard(nothing)["conversion_after"].isna().all()


def test_attribution_credits_exactly_the_flagged_orders(ds: jl.Dataset,
                                                         export: pd.DataFrame) -> None:
    flagged = _flagged(export)
    for lookback in ("30d", None):
        result = jl.attribution(ds, MODELS, lookback=lookback, n_boot=0)
        _no_decimal(result)
        totals = result.groupby("model")[["conversions", "revenue"]].sum()
        assert set(totals.index) == set(MODELS)
        for model, row in totals.iterrows():
            assert row["conversions"] == pytest.approx(len(flagged)), model
            # cancelled orders' revenue is not credited
            assert row["revenue"] == pytest.approx(flagged["revenue"].sum()), model
    table = path_table(ds)
    assert table.total_conversions == len(flagged)
    assert float(table.value.sum()) == pytest.approx(flagged["revenue"].sum())


def test_a_chosen_rule_changes_what_attribution_counts(ds: jl.Dataset,
                                                        export: pd.DataFrame) -> None:
    by_stage = journeys.with_conversion_rule(ds, "purchase_stage")
    assert by_stage.key != ds.key
    result = jl.attribution(by_stage, ["last_touch"], n_boot=0)
    assert result["conversions"].sum() == pytest.approx((export["stage"] == "Purchase").sum())
    by_revenue = journeys.with_conversion_rule(ds, "revenue")
    result = jl.attribution(by_revenue, ["last_touch"], n_boot=0)
    orders = export[export["revenue"] > 0]
    assert result["conversions"].sum() == pytest.approx(len(orders))
    assert result["revenue"].sum() == pytest.approx(orders["revenue"].sum())


def test_paths_count_flagged_buyers(ds: jl.Dataset, export: pd.DataFrame) -> None:
    top = jl.top_paths(ds, "stage", n=10_000)
    _no_decimal(top)
    buyers = _flagged(export)["customer_id"].nunique()
    assert top["converted"].sum() == buyers
    assert top["customers"].sum() == export["customer_id"].nunique()
    assert (top["conversion_rate"] < 1).any()  # a cancelled-only or window-shopping path


def test_moments_and_scorecard_use_the_same_purchases(ds: jl.Dataset,
                                                       export: pd.DataFrame) -> None:
    flagged = _flagged(export)
    events = ds.table.filter(mo.purchase_event(ds))
    assert events.count().execute() == len(flagged)
    moments = mo.moments_of_truth(ds, "purchase")
    _no_decimal(moments)
    card = jl.scorecard(ds)
    _no_decimal(card)
    visit = card.set_index("touchpoint").loc["Visit"]
    first_visit = export[export["touchpoint"] == "Visit"].groupby("customer_id")["timestamp"].min()
    last_order = flagged.groupby("customer_id")["timestamp"].max()
    bought = (last_order.reindex(first_visit.index) > first_visit).sum()
    assert visit["conversion_after"] == pytest.approx(bought / len(first_visit))


def test_every_analysis_returns_plain_numbers(ds: jl.Dataset) -> None:
    results = [
        jl.funnel(ds), jl.data_quality(ds), jl.journey_score(ds), jl.stage_transitions(ds),
        *(jl.emotion_curve(ds, by) for by in em.CURVE_KEYS),
        *(jl.emotion_timeline(ds, freq) for freq in em.FREQS),
        jl.pain_points(ds), jl.delight_points(ds),
        mo.moments_of_truth(ds, "retention", adjust=True),
    ]
    for frame in results:
        _no_decimal(frame)
    for frame in analysis_sheets(ds).values():
        _no_decimal(frame)


def test_valence_and_its_intervals_stay_on_the_scale(ds: jl.Dataset) -> None:
    frames = [
        *(jl.emotion_curve(ds, by) for by in em.CURVE_KEYS),
        *(jl.emotion_timeline(ds, freq) for freq in em.FREQS),
        jl.emotion_timeline(ds, "day", by="stage"),
        jl.pain_points(ds, min_n=1), jl.delight_points(ds, min_n=1),
        build_journey_map(ds).stages,
    ]
    for frame in frames:
        for column in ("valence_mean", "ci_low", "ci_high"):
            values = frame[column].dropna()
            assert values.between(-1, 1).all(), (column, values.min(), values.max())


def _ratings(weeks: dict[str, list[int]]) -> jl.Dataset:
    rows = [(f"c{week}{i}", pd.Timestamp(week) + pd.Timedelta(hours=i), "Review", score)
            for week, scores in weeks.items() for i, score in enumerate(scores)]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint", "emotion"])
    return jl.load(frame, emotion_scale="1-5")


def test_timeline_never_names_a_week_of_three_ratings() -> None:
    rng = np.random.default_rng(1)
    weeks = {f"2024-0{m}-0{d}": list(rng.integers(3, 6, 60)) for m in (1, 2) for d in (1, 8)}
    weeks["2024-03-04"] = [1, 1, 1]  # three ratings at -1.00, interval -1.00..-1.00
    timeline = em.emotion_timeline(_ratings(weeks), "week")
    tiny = timeline[timeline["n"] == 3].iloc[0]
    assert tiny["low_count"] and not tiny["below_usual"]
    assert em.timeline_reading(timeline) == {"code": "flat", "min_n": em.MIN_PERIOD_N}
    sentence = em.describe_timeline(timeline, "week")
    assert "4 Mar" not in sentence and "at least 30 ratings" in sentence


def test_timeline_names_a_real_dip_with_its_ratings() -> None:
    rng = np.random.default_rng(2)
    weeks = {f"2024-0{m}-0{d}": list(rng.integers(4, 6, 60)) for m in (1, 2) for d in (1, 8)}
    weeks["2024-03-04"] = list(rng.integers(1, 3, 40))
    weeks["2024-03-11"] = [1, 1, 1]
    timeline = em.emotion_timeline(_ratings(weeks), "week")
    reading = em.timeline_reading(timeline)
    assert reading["code"] == "dip" and reading["n"] == 40 and reading["dips"] == 1
    assert str(reading["period_start"]) == "2024-03-04"
    assert "40 ratings" in em.describe_timeline(timeline, "week")
    few = em.emotion_timeline(_ratings({"2024-03-11": [1, 1, 1]}), "week")
    assert em.timeline_reading(few)["code"] == "few"


def _moment(effect: float, low: float, high: float, p: float) -> pd.DataFrame:
    return pd.DataFrame({"touchpoint": ["Checkout"], "status": ["ok"], "effect": [effect],
                         "ci_low": [low], "ci_high": [high], "p_value": [p],
                         "customers_negative": [400], "opportunity": [effect * 400]})


def test_small_and_insignificant_moments_are_written_as_such() -> None:
    text = mo.describe_moment(_moment(0.004, 0.001, 0.007, 0.01))
    assert "0.4 points less often" in text and "(95% CI 0.1-0.7)" in text
    text = mo.describe_moment(_moment(0.004, -0.01, 0.018, 0.6))
    assert mo.moment_reading(_moment(0.004, -0.01, 0.018, 0.6))["code"] == "not_significant"
    assert "not significant (p = 0.60" in text and "0.4 points" in text
    text = mo.describe_moment(_moment(0.0001, -0.01, 0.01, 0.98))
    assert "measurably" in text and "0 points" not in text
    assert "43 points less often" in mo.describe_moment(_moment(0.43, 0.39, 0.47, 1e-9))


def test_pain_point_headline_needs_a_clear_difference(ds: jl.Dataset) -> None:
    pains = em.pain_points(ds, min_n=1)
    assert pains["significant"].dtype == bool
    flat = pains.assign(significant=False)
    assert em.points_reading(flat, 1) == {"code": "none", "min_n": 1}
    assert "at least 1 ratings" in em.describe_points(flat, "pain", min_n=1)


def test_durations_have_one_parser() -> None:
    assert duration_seconds("30d") == 30 * 86400
    assert duration_seconds("90min") == 5400
    assert duration_seconds("2 weeks") == 14 * 86400
    assert duration_seconds("45s") == 45
    assert duration_seconds(pd.Timedelta(hours=12)) == 43200
    assert window_seconds("") is None
    for bad in ("soon", "0d", "-3h", "3 fortnights"):
        with pytest.raises(ValueError):
            duration_seconds(bad)


def _csv(export: pd.DataFrame) -> bytes:
    return export.rename(columns={"review_score": "csat"}).to_csv(index=False).encode()


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_pages_open_on_the_real_export_without_errors(export: pd.DataFrame, lang: str) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.file_uploader[0].set_value(("orders.csv", _csv(export), "text/csv")).run()
    assert not at.exception
    for page in ("emotions", "touchpoints", "journey_map", "journeys", "attribution"):
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])


def test_data_page_names_the_rule_and_every_page_uses_the_choice(export: pd.DataFrame) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.file_uploader[0].set_value(("orders.csv", _csv(export), "text/csv")).run()
    at.switch_page("app_pages/data.py")
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert "rows whose converted flag is 1" in captions
    box = next(s for s in at.selectbox if s.key == "data_conversion_rule")
    assert box.options[0] == "Automatic: Converted flag is 1"  # the sentence is the caption
    box.set_value("revenue").run()
    assert at.session_state["conversion_rule"] == "revenue"
    assert "rows with revenue above 0" in " ".join(c.value for c in at.caption)
    at.switch_page("app_pages/journeys.py")
    at.run()
    assert not at.exception
    assert at.session_state["conversion_rule"] == "revenue"
    at.query_params["lang"] = "ru"
    at.switch_page("app_pages/data.py")
    at.run()
    box = next(s for s in at.selectbox if s.key == "data_conversion_rule")
    assert box.value == "revenue"
    box.set_value("auto").run()
    assert "conversion_rule" not in at.session_state


def _failing_page() -> None:
    import streamlit as st

    import journeylib as jl
    from dashboard.sections import section

    with section("timeline"):
        raise RuntimeError("boom")
    with section("points"):
        raise jl.DataError("The file has no ratings.")
    with section("moments"):
        st.stop()
    st.write("never reached")


def _page_after_failure() -> None:
    import streamlit as st

    from dashboard.sections import section

    with section("curve"):
        raise KeyError("Automatic")
    st.write("the rest of the page")


def test_a_failing_section_says_what_and_why_and_the_page_goes_on() -> None:
    at = AppTest.from_function(_page_after_failure).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "**The emotion curve could not be shown.** An unexpected error stopped the calculation;"
        " it has been logged for the operator. Try other settings or filters, or report it. "
        "The rest of the page works."]
    assert at.markdown[0].value == "the rest of the page"
    at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 2 and "The file has no ratings." in errors[1]
    assert "boom" not in " ".join(errors)  # details go to the log, not to the user
    assert not at.markdown  # st.stop() inside a section still stops the page


def test_error_details_are_off() -> None:
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] is False


def test_journey_map_names_the_lowest_stage_only_with_enough_ratings() -> None:
    from journeylib.journey_map import JourneyMap, describe_map

    stages = pd.DataFrame({"stage": ["Browse", "Buy"], "n": [3, 300],
                           "valence_mean": [-1.0, 0.2]})
    tps = pd.DataFrame({"touchpoint": [], "flag": [], "moment_of_truth": []})
    # Browse has too few ratings: Buy is the only stage left, so there is nothing to compare.
    assert describe_map(JourneyMap(stages, tps)).startswith("Only Buy has enough ratings")
    three = pd.DataFrame({"stage": ["Browse", "Buy", "Use"], "n": [3, 300, 200],
                          "valence_mean": [-1.0, 0.2, 0.4]})
    assert "lowest at Buy" in describe_map(JourneyMap(three, tps))
    few = JourneyMap(stages.assign(n=[3, 5]), tps)
    assert describe_map(few).startswith("No stage has 30 ratings or more")


def test_moments_of_truth_on_data_without_stages() -> None:
    """A file with touchpoints but no stage column: moments of truth still run (the stage of
    each experience is unknown, not a failure)."""
    from tests.corpus import SHAPES

    ds = jl.load(SHAPES["touchpoints_without_stages"]())
    assert ds.stages == []
    table = jl.moments_of_truth(ds, "purchase")
    assert table["stage"].isna().all()


def test_journey_score_says_but_only_only_with_a_gap() -> None:
    """Seen on a real-shaped export: "82% of single ratings are neutral or better, but only 82%
    of the customers..." — equal shares are joined with "and"."""
    from journeylib.emotion import describe_journey_score

    row = {"customers": 80, "touchpoint_share_non_negative": 0.82, "journey_score": 0.82,
           "journey_ci_low": 0.72, "journey_ci_high": 0.89}
    for lang, word in (("en", "but only"), ("ru", "но лишь"), ("pl", "ale tylko")):
        with i18n.language(lang):
            same = describe_journey_score(pd.DataFrame([row]))
            gap = describe_journey_score(pd.DataFrame([{**row, "journey_score": 0.5}]))
        assert word not in same and word in gap


def test_journey_map_names_no_lowest_stage_when_only_one_is_rated() -> None:
    """Seen on a real-shaped export: "The journey feels lowest at Advocacy" when Advocacy was
    the only stage with ratings."""
    from journeylib import journey_map as jm

    jmap = jm.build_journey_map(jl.load(_single_rated_stage()))
    for lang in ("en", "ru", "pl"):
        with i18n.language(lang):
            text = jm.describe_map(jmap, min_n=1)
        assert "Review" in text or "Advocacy" in text
    with i18n.language("en"):
        assert "lowest at" not in jm.describe_map(jmap, min_n=1)


def _single_rated_stage() -> pd.DataFrame:
    rows = []
    for i in range(40):
        rows += [(f"c{i}", f"2026-03-0{1 + i % 5} 10:00", "Awareness", "Ad", None),
                 (f"c{i}", f"2026-03-0{1 + i % 5} 11:00", "Purchase", "Order", None),
                 (f"c{i}", f"2026-03-0{1 + i % 5} 12:00", "Advocacy", "Review", 1 + i % 5)]
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                       "rating"])
