"""Tests for the synthetic journey generator and its planted effects."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journeylib import sample

ROOT = Path(__file__).resolve().parents[1]
PRE_STAGES = ("Awareness", "Consideration")


@pytest.fixture(scope="module")
def journeys() -> pd.DataFrame:
    """The default sample, as committed in sample_data/."""
    return sample.generate()


def _customers(frame: pd.DataFrame, mask: pd.Series) -> set[str]:
    return set(frame.loc[mask, "customer_id"])


def _buyers(frame: pd.DataFrame) -> set[str]:
    return _customers(frame, frame["touchpoint"] == "Order placed")


def _rate(ids: pd.Index, positives: set[str]) -> float:
    return float(ids.isin(list(positives)).mean())


def _pre_purchase(frame: pd.DataFrame) -> pd.DataFrame:
    """Awareness/Consideration touches before a customer's first order (all of them if none)."""
    first_order = (
        frame[frame["touchpoint"] == "Order placed"].groupby("customer_id")["timestamp"].min()
    )
    t_order = frame["customer_id"].map(first_order)
    before = t_order.isna() | (frame["timestamp"] < t_order)
    return frame[frame["stage"].isin(PRE_STAGES) & before]


# ------------------------------------------------------------------ determinism and schema


def test_same_seed_gives_identical_frame() -> None:
    pd.testing.assert_frame_equal(sample.generate(300, seed=11), sample.generate(300, seed=11))


def test_different_seed_gives_different_frame() -> None:
    a, b = sample.generate(300, seed=11), sample.generate(300, seed=12)
    assert len(a) != len(b) or not a.equals(b)
    assert a["revenue"].sum() != pytest.approx(b["revenue"].sum())


def test_columns_and_dtypes(journeys: pd.DataFrame) -> None:
    assert list(journeys.columns) == list(sample.COLUMNS)
    for col in ("customer_id", "stage", "channel", "touchpoint", "segment", "note"):
        assert pd.api.types.is_string_dtype(journeys[col]), col
    assert pd.api.types.is_datetime64_dtype(journeys["timestamp"])
    assert journeys["timestamp"].dt.tz is None
    assert journeys["emotion"].dtype == np.float64
    assert pd.api.types.is_integer_dtype(journeys["converted"])
    assert journeys["revenue"].dtype == np.float64


def test_size_and_customers(journeys: pd.DataFrame) -> None:
    ids = journeys["customer_id"]
    assert ids.nunique() == 5000
    assert ids.str.fullmatch(r"C\d{5}").all()
    per_customer = len(journeys) / ids.nunique()
    assert 8.0 <= per_customer <= 12.0
    # Every customer starts in Awareness and the first event is an Awareness touch.
    first_stage = journeys.groupby("customer_id")["stage"].first()
    assert (first_stage == "Awareness").all()


def test_value_domains(journeys: pd.DataFrame) -> None:
    assert set(journeys["stage"]) == set(sample.STAGES)
    assert set(journeys["channel"]) <= set(sample.CHANNELS)
    assert set(journeys["segment"]) == set(sample.SEGMENTS)
    assert set(journeys["touchpoint"]) <= set(sample.TOUCHPOINTS)

    scores = journeys["emotion"].dropna()
    assert set(scores.unique()) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert 0.55 <= journeys["emotion"].notna().mean() <= 0.70

    assert set(journeys["converted"].unique()) == {0, 1}
    converting = journeys["touchpoint"].isin(["Order placed", "Repeat order"])
    assert (journeys["converted"] == converting.astype(int)).all()
    assert ((journeys["revenue"] > 0) == (journeys["converted"] == 1)).all()
    assert (journeys["revenue"] >= 0).all()
    assert (journeys["revenue"] == journeys["revenue"].round(2)).all()
    medians = journeys[journeys["converted"] == 1].groupby("segment")["revenue"].median()
    assert 70 <= medians["New customer"] <= 150
    assert medians["Business"] > 2 * medians["New customer"]


def test_segment_is_fixed_per_customer(journeys: pd.DataFrame) -> None:
    assert (journeys.groupby("customer_id")["segment"].nunique() == 1).all()


def test_timestamps_in_period_and_sorted(journeys: pd.DataFrame) -> None:
    ts = journeys["timestamp"]
    assert ts.min() >= pd.Timestamp("2026-03-01")
    assert ts.max() <= pd.Timestamp("2026-08-31 23:59:59")
    assert (ts.dt.microsecond == 0).all()
    assert journeys["customer_id"].is_monotonic_increasing
    steps = journeys.groupby("customer_id")["timestamp"].diff().dropna()
    assert (steps >= pd.Timedelta(0)).all()
    # First touches are spread over all six months.
    first_months = journeys.groupby("customer_id")["timestamp"].min().dt.month
    assert set(first_months) == {3, 4, 5, 6, 7, 8}
    assert first_months.value_counts(normalize=True).min() > 0.12


def test_touchpoints_have_plausible_stage_and_channel(journeys: pd.DataFrame) -> None:
    stage_of = {tp: meta[0] for tp, meta in sample.TOUCHPOINTS.items()}
    assert (journeys["touchpoint"].map(stage_of) == journeys["stage"]).all()
    channels = journeys.groupby("touchpoint")["channel"].agg(set)
    assert channels["Support call"] == {"phone"}
    assert channels["Onboarding email"] == {"email"}
    assert channels["Display ad"] == {"display"}
    orders = journeys.loc[journeys["touchpoint"] == "Order placed", "channel"]
    assert orders.isin(["direct", "store"]).mean() > 0.85


def test_checkout_is_last_consideration_touch_before_order(journeys: pd.DataFrame) -> None:
    prev = journeys.groupby("customer_id")["touchpoint"].shift()
    assert (prev[journeys["touchpoint"] == "Order placed"] == "Checkout").all()


def test_notes_match_tone_and_mix_languages(journeys: pd.DataFrame) -> None:
    noted = journeys[journeys["note"].notna()]
    rated = journeys["emotion"].notna().sum()
    assert 0.06 <= len(noted) / rated <= 0.10
    assert noted["emotion"].notna().all()
    assert not (noted["emotion"] == 3).any()

    negative = {
        q
        for (tone, _), pools in sample.QUOTES.items()
        if tone == "neg"
        for pool in pools.values()
        for q in pool
    }
    positive = {
        q
        for (tone, _), pools in sample.QUOTES.items()
        if tone == "pos"
        for pool in pools.values()
        for q in pool
    }
    assert noted.loc[noted["emotion"] <= 2, "note"].isin(negative).all()
    assert noted.loc[noted["emotion"] >= 4, "note"].isin(positive).all()

    russian = noted["note"].map(lambda s: bool(re.search("[а-яё]", s, re.IGNORECASE)))
    assert 0.4 <= russian.mean() <= 0.6
    for key, pools in sample.QUOTES.items():
        assert 8 <= sum(len(pool) for pool in pools.values()) <= 12, key
    checkout_notes = noted.loc[
        (noted["touchpoint"] == "Checkout") & (noted["emotion"] <= 2), "note"
    ]
    assert checkout_notes.isin(sample.QUOTES[("neg", "ru")]["checkout"]).any()
    assert checkout_notes.isin(sample.QUOTES[("neg", "en")]["checkout"]).any()


# ------------------------------------------------------------------------ planted effects


def test_funnel_shape_and_largest_drop_at_purchase(journeys: pd.DataFrame) -> None:
    reached = [journeys.loc[journeys["stage"] == s, "customer_id"].nunique() for s in sample.STAGES]
    steps = [reached[i + 1] / reached[i] for i in range(4)]
    assert reached[0] == 5000
    assert 0.75 <= steps[0] <= 0.85
    assert 0.70 <= steps[2] <= 0.85
    assert 0.30 <= steps[3] <= 0.45
    assert steps[1] == min(steps)
    assert steps[1] < min(steps[0], steps[2], steps[3]) - 0.05
    # A few buyers go back to Consideration after buying.
    first_order = (
        journeys[journeys["touchpoint"] == "Order placed"].groupby("customer_id")["timestamp"].min()
    )
    after = journeys["timestamp"] > journeys["customer_id"].map(first_order)
    back = journeys.loc[after & (journeys["stage"] == "Consideration"), "customer_id"].nunique()
    assert 0.03 <= back / len(first_order) <= 0.15


def test_bad_checkout_cuts_purchase(journeys: pd.DataFrame) -> None:
    checkout = journeys[(journeys["touchpoint"] == "Checkout") & journeys["emotion"].notna()]
    score = checkout.groupby("customer_id")["emotion"].min()
    bad = score <= 2
    assert 0.30 <= bad.mean() <= 0.45
    buyers = _buyers(journeys)
    rate_bad = _rate(score.index[bad], buyers)
    rate_good = _rate(score.index[~bad], buyers)
    assert rate_good - rate_bad >= 0.25
    assert rate_bad < 0.35 < 0.55 < rate_good


def test_bad_support_call_cuts_advocacy_and_repeat_orders(journeys: pd.DataFrame) -> None:
    calls = journeys[(journeys["touchpoint"] == "Support call") & journeys["emotion"].notna()]
    score = calls.groupby("customer_id")["emotion"].min()
    bad = score <= 2
    advocates = _customers(journeys, journeys["stage"] == "Advocacy")
    assert _rate(score.index[~bad], advocates) - _rate(score.index[bad], advocates) >= 0.2

    repeats = journeys[journeys["touchpoint"] == "Repeat order"].groupby("customer_id").size()
    per_caller = repeats.reindex(score.index, fill_value=0)
    assert per_caller[~bad].mean() - per_caller[bad].mean() >= 0.2


def test_channel_contrasts_follow_true_coefficients(journeys: pd.DataFrame) -> None:
    pre = _pre_purchase(journeys)
    touched = pd.crosstab(pre["customer_id"], pre["channel"]) > 0
    bought = touched.index.isin(list(_buyers(journeys)))

    def contrast(channel: str) -> float:
        has = touched[channel].to_numpy()
        return float(bought[has].mean() - bought[~has].mean())

    for strong in ("email", "referral"):
        assert contrast(strong) >= 0.04
        assert contrast(strong) >= contrast("display") + 0.04
        assert contrast(strong) > contrast("direct") + 0.02
    assert abs(contrast("display")) < 0.05

    counts = pre["channel"].value_counts()
    assert counts.index[0] == "display"
    assert touched["display"].mean() > 0.65

    # Direct is frequent among non-buyers too, so its presence does not explain purchase.
    assert touched.loc[~bought, "direct"].mean() > 0.45
    assert abs(touched.loc[bought, "direct"].mean() - touched.loc[~bought, "direct"].mean()) < 0.10


def test_direct_closes_most_orders(journeys: pd.DataFrame) -> None:
    prev_channel = journeys.groupby("customer_id")["channel"].shift()
    last = prev_channel[journeys["touchpoint"] == "Order placed"].value_counts(normalize=True)
    assert last.index[0] == "direct"
    assert last["direct"] > 0.4
    assert last["direct"] > 2 * last.iloc[1]


def test_june_emotion_dip(journeys: pd.DataFrame) -> None:
    month = journeys["timestamp"].dt.month
    june = journeys.loc[month == 6, "emotion"].mean()
    other = journeys.loc[month != 6, "emotion"].mean()
    assert other - june >= 0.4
    by_month = journeys.groupby(month)["emotion"].mean()
    assert by_month.idxmin() == 6
    assert by_month.drop(6).max() - by_month.drop(6).min() < 0.15


# --------------------------------------------------------------------------------- files


def test_write_round_trips(tmp_path: Path) -> None:
    paths = sample.write(tmp_path / "out", n_customers=150, seed=5)
    expected = sample.generate(150, seed=5)
    assert set(paths) == {"csv", "xlsx"}

    text = paths["csv"].read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    assert header == ",".join(sample.COLUMNS)
    assert re.match(r"C00001,2026-\d\d-\d\d \d\d:\d\d:\d\d,", first)
    assert ".0," not in text.replace(".00,", ",")

    csv = pd.read_csv(paths["csv"], encoding="utf-8")
    assert len(csv) == len(expected)
    assert set(csv["customer_id"]) == set(expected["customer_id"])
    assert (pd.to_datetime(csv["timestamp"]) == expected["timestamp"]).all()
    pd.testing.assert_series_equal(csv["emotion"], expected["emotion"])
    assert csv["converted"].tolist() == expected["converted"].tolist()
    assert csv["revenue"].sum() == pytest.approx(expected["revenue"].sum(), abs=0.005)
    assert csv["note"].fillna("").tolist() == expected["note"].fillna("").tolist()

    xlsx = pd.read_excel(paths["xlsx"], engine="calamine", sheet_name="Touchpoints")
    assert list(xlsx.columns) == list(sample.COLUMNS)
    assert len(xlsx) == len(expected)
    assert set(xlsx["customer_id"]) == set(expected["customer_id"])
    assert pd.api.types.is_datetime64_dtype(xlsx["timestamp"])
    assert (xlsx["timestamp"] == expected["timestamp"]).all()
    assert xlsx["revenue"].sum() == pytest.approx(expected["revenue"].sum(), abs=0.005)


def test_committed_sample_matches_generator(journeys: pd.DataFrame) -> None:
    csv_path = ROOT / "sample_data" / "journeys.csv"
    xlsx_path = ROOT / "sample_data" / "journeys.xlsx"
    committed = pd.read_csv(csv_path, encoding="utf-8")
    assert len(committed) == len(journeys)
    assert round(committed["revenue"].sum(), 2) == round(journeys["revenue"].sum(), 2)
    assert committed["customer_id"].nunique() == journeys["customer_id"].nunique()
    assert csv_path.stat().st_size <= 5 * 2**20
    assert xlsx_path.stat().st_size <= 5 * 2**20
