"""Defects found by the review, each pinned by a test that failed before its fix: dataset keys
name their time zone however the dataset was made; an engine without zones raises EngineError;
the correlation span orders ties by (timestamp, source row)."""

from __future__ import annotations

import dataclasses

import pandas as pd

import journeylib as jl
from journeylib import timezones
from journeylib.timezones import UTC, with_timezone

ROWS = [
    ("a", "2024-03-01T23:30:00+03:00", "Awareness"),
    ("a", "2024-03-02T10:00:00+03:00", "Purchase"),
    ("b", "2024-03-01T08:00:00+03:00", "Awareness"),
]


def _offset_dataset() -> jl.Dataset:
    frame = pd.DataFrame(ROWS, columns=["customer_id", "timestamp", "stage"])
    return jl.load(frame, stages=["Awareness", "Purchase"])


def test_a_file_zone_dataset_and_its_utc_view_have_different_keys() -> None:
    ds = _offset_dataset()
    assert ds.timezone == "Etc/GMT-3"
    utc = with_timezone(ds, UTC)
    assert utc.key != ds.key
    assert "|tz=Etc/GMT-3" in ds.key and "|tz=" not in utc.key
    # Back to the file's zone: the file-zone key again, one tag only.
    assert with_timezone(utc, "Etc/GMT-3").key == ds.key
    warsaw = with_timezone(ds, "Europe/Warsaw")
    assert warsaw.key.count("|tz=") == 1 and warsaw.key not in (ds.key, utc.key)


def test_every_way_of_making_a_dataset_names_its_zone() -> None:
    ds = _offset_dataset()
    # dataclasses.replace (as open_workspace and filters build datasets) keeps the rule.
    moved = dataclasses.replace(ds, timezone="Asia/Tokyo")
    assert moved.key.endswith("|tz=Asia/Tokyo") and moved.key.count("|tz=") == 1
    assert "|tz=" not in dataclasses.replace(ds, timezone=UTC).key
    filtered = jl.apply_filters(ds, jl.Filters(segments=("x",)))
    assert filtered.key.count("|tz=Etc/GMT-3") == 1
    assert with_timezone(filtered, UTC).key != filtered.key
    assert with_timezone(with_timezone(filtered, UTC), "Etc/GMT-3").key == filtered.key


def test_a_workspace_in_a_zone_has_a_key_apart_from_its_utc_view(tmp_path) -> None:
    from journeylib.workspace import open_workspace, save_workspace

    ds = with_timezone(_offset_dataset(), "Europe/Warsaw")
    save_workspace(ds, "zoned", directory=tmp_path)
    opened = open_workspace("zoned", directory=tmp_path).dataset
    assert opened.timezone == "Europe/Warsaw"
    assert with_timezone(opened, UTC).key != opened.key


def test_a_dataset_in_utc_has_no_zone_tag() -> None:
    ds = with_timezone(_offset_dataset(), UTC)
    assert timezones.with_timezone(ds, UTC) is ds


def test_an_engine_error_survives_pickling_with_its_code() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(timezones.UnsupportedEngine("sqlite")))
    assert isinstance(error, jl.EngineError)
    assert error.code == "errors.engine_lacks_operation"
    assert error.params == {"engine": "sqlite", "operation": timezones.ZONE_OPERATION}


def test_redact_masks_params_user_info_and_secret_settings() -> None:
    from dashboard.connections import Connection, problem, redact

    params = {"host": "db.internal", "config": {"spark.key": ["nested-v4lue"]}, "port": 5432}
    text = ("failed: snowflake://bob:pa/ss@acct/db?warehouse=w token='a b c' api_key: XYZ123 "
            "sslkey=/k.pem secret=\"q r\" password=pw1 at db.internal; nested-v4lue")
    out = redact(text, params)
    for secret in ("bob", "pa/ss", "a b c", "XYZ123", "/k.pem", "q r", "pw1", "db.internal",
                   "nested-v4lue"):
        assert secret not in out, (secret, out)
    assert out.startswith("failed: snowflake://***@acct/db?warehouse=w") and "5432" not in text
    # The sentence for the user is made from the masked text only.
    conn = Connection(name="dwh", backend="trino", params={"host": "db.internal"})
    error = problem(conn, RuntimeError("no route to db.internal via //me:x@gw"))
    assert error.code == "connections.failed"
    assert error.params["error"] == "no route to *** via //***@gw"


def test_the_correlation_span_orders_tied_timestamps_by_source_row() -> None:
    """Rows sharing a timestamp are ordered by their row in the file, as the funnel orders them:
    written before the conversion counts for a converter, after it does not; written before
    the entry does not count for anybody."""
    from journeylib.correlation import funnel_correlation

    at = "2026-03-02 09:00"
    rows = []
    for k in range(3):  # converters: the conversion at 12:00, tied touchpoints around it
        cid = f"c{k}"
        rows += [
            (cid, at, "Consideration", "Early bird"),   # before the entry row: not counted
            (cid, at, "Awareness", "Ad"),
            (cid, "2026-03-02 10:00", "Consideration", "Pricing"),
            (cid, "2026-03-02 12:00", "Consideration", "Just before"),  # counted
            (cid, "2026-03-02 12:00", "Purchase", "Checkout"),
            (cid, "2026-03-02 12:00", "Consideration", "Just after"),   # not counted
        ]
    for k in range(3):  # non-converters
        cid = f"n{k}"
        rows += [
            (cid, at, "Consideration", "Early bird"),   # before the entry row: not counted
            (cid, at, "Awareness", "Ad"),
            (cid, "2026-03-02 10:00", "Consideration", "Pricing"),
        ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint"])
    ds = jl.load(frame, stages=["Awareness", "Consideration", "Purchase"])
    # Consideration is not a step (a later step's touchpoints never count), so its tied
    # touchpoints are judged by the span alone.
    out = funnel_correlation(ds, ["Awareness", "Purchase"], min_customers=1,
                             properties=["touchpoint"])
    held = {v: (int(c), int(n)) for v, c, n in
            zip(out["value"], out["converters_with"], out["non_converters_with"], strict=True)}
    assert held.get("Just before") == (3, 0)
    assert "Just after" not in held and "Checkout" not in held
    assert "Early bird" not in held
    assert held["Ad"] == (3, 3) and held["Pricing"] == (3, 3)


def test_auto_edges_first_bin_can_hold_more_than_5_percent_at_the_ladders_end() -> None:
    """The documented caveat: with a 5th percentile under a minute the first edge is the
    ladder's first duration (a minute), above the 5th percentile."""
    from journeylib.conversion import DURATION_LADDER, auto_edges, time_to_convert

    p05 = 10 / 3600  # 10 seconds
    edges = auto_edges(p05, 2.0)
    assert edges[0] == DURATION_LADDER[0] > p05
    assert "where the ladder allows" in (auto_edges.__doc__ or "").replace("\\n    ", " ")
    # A file where most converters buy within seconds: the first bin holds them all.
    rows = []
    for k in range(20):
        rows += [(f"c{k}", "2026-03-02 09:00:00", "Awareness"),
                 (f"c{k}", f"2026-03-02 09:00:{5 + k % 10:02d}", "Purchase")]
    rows += [("slow", "2026-03-02 09:00:00", "Awareness"), ("slow", "2026-03-02 11:00:00",
                                                             "Purchase")]
    ds = jl.load(pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage"]),
                 stages=["Awareness", "Purchase"])
    out = time_to_convert(ds, "Awareness", "Purchase", bins="auto")
    first = out.iloc[0]
    assert first["bin_end_hours"] == DURATION_LADDER[0]
    assert first["share"] > 0.05 and first["p05_hours"] < DURATION_LADDER[0]
