"""Dataset.from_table: a table already in an engine, bound with the upload's rules (DuckDB).

The reference is the upload path: the same rows loaded from a file must give the same
touchpoints, the same rejections and the same numbers in every analysis.
"""

from __future__ import annotations

import dataclasses

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib import emotion
from journeylib.warehouse import REJECTED_SAMPLE
from tests.apptest import SAMPLE


@pytest.fixture(scope="module")
def con():
    return jl.connect()


@pytest.fixture(scope="module")
def bound_sample(con) -> jl.Dataset:
    """The sample CSV read by DuckDB itself into a table (typed columns), then bound."""
    con.raw_sql(f"CREATE TABLE sample_table AS SELECT * FROM read_csv('{SAMPLE}')")
    return jl.Dataset.from_table(con.table("sample_table"), name="sample")


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        left.reset_index(drop=True), right.reset_index(drop=True), check_dtype=False, rtol=1e-9
    )


def test_sample_bound_equals_sample_uploaded(sample_dataset, bound_sample):
    up, wh = sample_dataset, bound_sample
    assert (wh.n_rows, wh.n_rejected, wh.stages, wh.purchase_stage, wh.stage_model) == (
        up.n_rows, up.n_rejected, up.stages, up.purchase_stage, up.stage_model)
    assert wh.report.emotion_scale_name == up.report.emotion_scale_name == "1-5"
    assert wh.report.notes == up.report.notes
    columns = [c for c in jl.TABLE_COLUMNS if c != "source_row"]
    order = ["customer_id", "timestamp", "touchpoint"]
    _same(wh.table.select(*columns).to_pandas().sort_values(order),
          up.table.select(*columns).to_pandas().sort_values(order))


@pytest.mark.parametrize("analysis", [
    lambda ds: jl.funnel(ds),
    lambda ds: jl.funnel(ds, window="30D"),
    lambda ds: jl.drop_offs(ds, 2),
    lambda ds: jl.attribution(ds),
    lambda ds: jl.removal_effects(ds),
    lambda ds: jl.emotion_curve(ds),
    lambda ds: jl.pain_points(ds),
    lambda ds: jl.emotion_timeline(ds),
    lambda ds: jl.data_quality(ds),
    lambda ds: jl.top_paths(ds),
], ids=["funnel", "funnel_window", "drop_offs", "attribution",
        "removal_effects", "emotion_curve", "pain_points", "emotion_timeline", "quality",
        "top_paths"])
def test_every_analysis_gives_the_upload_numbers(sample_dataset, bound_sample, analysis):
    _same(analysis(bound_sample), analysis(sample_dataset))


def test_journey_score_and_summary_match(sample_dataset, bound_sample):
    _same(emotion.journey_score(bound_sample), emotion.journey_score(sample_dataset))
    assert jl.summary(bound_sample) == jl.summary(sample_dataset)


MESSY = pd.DataFrame({
    "Client": ["a", "a", " ", None, "b", "b", "c", "c", "d", "e"],
    "When": ["2026-03-01 10:00:00", "2026-03-02T09:30:00+02:00", "2026-03-03", "not a date",
             None, "2026-03-04 08:00", "2026-03-05", "", "2026-03-06", "2026-03-07"],
    "Step": ["Awareness", "Purchase", "Awareness", "Awareness", "Awareness", "Consideration",
             "Awareness", "Purchase", " Purchase ", "Awareness"],
    "Feeling": ["Joy", "frustrated!", "Ok", None, "meh", "Радость", "", "anger", "😡", "joy"],
    "Purchased": ["no", "yes", "0", "1", "maybe", "да", "nie", "tak", "x", None],
    "Amount": ["0", "1 234,50 zł", "", "3,5", "abc", "7", "0", "12,25", "2", "0"],
})


@pytest.fixture(scope="module")
def messy_pair(con, tmp_path_factory):
    """The messy table uploaded as a CSV file and bound from a DuckDB table."""
    con.create_table("messy", MESSY.astype(object).where(MESSY.notna(), None).astype("str")
                     .where(MESSY.notna(), None), overwrite=True)
    path = tmp_path_factory.mktemp("messy") / "messy.csv"
    MESSY.to_csv(path, index=False)
    up = jl.load(path, con=con)
    wh = jl.Dataset.from_table(con.table("messy"))
    return up, wh


def test_messy_rejections_counted_by_reason(messy_pair):
    up, wh = messy_pair
    assert wh.report.rejected_counts == {"no_customer_id;bad_timestamp": 1,
                                         "no_customer_id": 1, "no_timestamp": 2}
    assert wh.n_rejected == up.n_rejected == 4
    assert wh.n_rows == up.n_rows == 6
    assert wh.report.n_source_rows == 10
    assert list(wh.rejected.columns) == ["row", "reason", *MESSY.columns]
    assert sorted(wh.rejected["reason"]) == sorted(up.rejected["reason"])
    reasons = jl.rejection_reasons(wh)
    assert dict(zip(reasons["reason"], reasons["rows"], strict=True)) == (
        wh.report.rejected_counts)
    assert reasons["rows"].iloc[0] == 2


def test_messy_values_read_as_the_upload_reads_them(messy_pair):
    up, wh = messy_pair
    columns = ["customer_id", "timestamp", "stage", "emotion_raw", "valence", "converted",
               "revenue"]
    order = ["customer_id", "timestamp"]
    _same(wh.table.select(*columns).to_pandas().sort_values(order),
          up.table.select(*columns).to_pandas().sort_values(order))
    assert wh.report.emotion_kind == up.report.emotion_kind == "labels"
    assert wh.report.emotion_labels == up.report.emotion_labels
    assert wh.report.emotion_unknown == {"meh": 1}
    assert wh.report.decimal == ","
    assert wh.report.warnings == up.report.warnings
    codes = [m.code for m in wh.report.warnings]
    assert codes == ["load.emotion.unknown", "load.warning.not_flags",
                     "load.warning.not_numbers"]
    not_flags = wh.report.warnings[1].params
    assert not_flags["n"] == 1 and not_flags["examples"] == ["maybe"]


def test_times_with_offsets_are_converted_to_utc(messy_pair):
    _, wh = messy_pair
    a = wh.table.filter(wh.table.customer_id == "a").order_by("timestamp").to_pandas()
    assert list(a["timestamp"]) == [pd.Timestamp("2026-03-01 10:00", tz="UTC"),
                                    pd.Timestamp("2026-03-02 07:30", tz="UTC")]


def test_source_row_does_not_depend_on_the_table_order(con):
    frame = MESSY.astype(object).where(MESSY.notna(), None).astype("str").where(
        MESSY.notna(), None)
    con.create_table("messy_a", frame, overwrite=True)
    con.create_table("messy_b", frame.iloc[::-1].reset_index(drop=True), overwrite=True)
    rows = [
        jl.Dataset.from_table(con.table(n)).table.order_by("source_row").to_pandas()
        for n in ("messy_a", "messy_b")
    ]
    _same(rows[0], rows[1])
    assert list(rows[0]["source_row"]) == sorted(set(rows[0]["source_row"]))


def test_an_own_source_row_column_is_kept(con):
    frame = pd.DataFrame({"source_row": [10, 20], "customer_id": ["x", "y"],
                          "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02"]),
                          "stage": ["Awareness", "Purchase"]})
    con.create_table("own_rows", frame, overwrite=True)
    ds = jl.Dataset.from_table(con.table("own_rows"))
    assert list(ds.table.order_by("source_row").source_row.to_pandas()) == [10, 20]


def test_rejected_rows_are_a_sample_but_counted_in_full(con):
    n = REJECTED_SAMPLE + 50
    frame = pd.DataFrame({"customer_id": [None] * n + ["ok"],
                          "timestamp": pd.to_datetime(["2026-01-01"] * (n + 1)),
                          "stage": ["Awareness"] * (n + 1)})
    con.create_table("many_bad", frame, overwrite=True)
    ds = jl.Dataset.from_table(con.table("many_bad"))
    assert ds.n_rejected == n and len(ds.rejected) == REJECTED_SAMPLE
    assert ds.report.rejected_counts == {"no_customer_id": n}


def test_mapping_is_applied_and_checked(con):
    frame = pd.DataFrame({"who": ["x", "x"], "at": ["2026-01-01", "2026-01-02"],
                          "what": ["Awareness", "Purchase"], "customer": ["n", "n"]})
    con.create_table("odd_names", frame, overwrite=True)
    table = con.table("odd_names")
    ds = jl.Dataset.from_table(table, mapping={"customer_id": "who", "timestamp": "at",
                                               "stage": "what"})
    assert ds.mapping == {"customer_id": "who", "timestamp": "at", "stage": "what"}
    assert ds.report.mapping_method["customer_id"] == "user"
    assert ds.stages == ["Awareness", "Purchase"]
    with pytest.raises(jl.DataError, match="'mood' is not a touchpoint field"):
        jl.Dataset.from_table(table, mapping={"mood": "what"})
    with pytest.raises(jl.DataError, match="'nope'"):
        jl.Dataset.from_table(table, mapping={"stage": "nope"})
    with pytest.raises(jl.DataError, match="customer id"):
        jl.Dataset.from_table(table, mapping={"customer_id": None, "timestamp": "at",
                                              "stage": "what"})


def test_nothing_usable_is_a_sentence(con):
    frame = pd.DataFrame({"customer_id": ["x", "y"], "timestamp": ["soon", "later"],
                          "stage": ["A", "B"]})
    con.create_table("no_dates", frame, overwrite=True)
    with pytest.raises(jl.DataError, match=r"None of the 2 rows can be used: .*could be read"):
        jl.Dataset.from_table(con.table("no_dates"))


def test_stages_and_purchase_stage_are_settled_like_the_upload(con, bound_sample):
    table = con.table("sample_table")
    given = jl.Dataset.from_table(table, stages=["Consideration", "Awareness"],
                                  purchase_stage="Purchase")
    assert given.stage_model == "given"
    assert given.stages[:2] == ["Consideration", "Awareness"]
    with pytest.raises(jl.DataError):
        jl.Dataset.from_table(table, purchase_stage="Nowhere")


def test_unix_and_date_columns(con):
    frame = pd.DataFrame({"customer_id": ["x", "x", "y"],
                          "timestamp": [1_772_323_200, 1_772_323_200_000, 5],
                          "stage": ["A", "B", "A"]})
    con.create_table("unix", frame, overwrite=True)
    ds = jl.Dataset.from_table(con.table("unix"))
    assert ds.report.timestamp_formats == {"unix_s": 1, "unix_ms": 1}
    assert ds.report.rejected_counts == {"bad_timestamp": 1}
    stamps = set(ds.table.timestamp.to_pandas())
    assert stamps == {pd.Timestamp("2026-03-01", tz="UTC")}
    dates = pd.DataFrame({"customer_id": ["x"], "timestamp": [pd.Timestamp("2026-03-01").date()],
                          "stage": ["A"]})
    con.create_table("dates", dates, overwrite=True)
    one = jl.Dataset.from_table(con.table("dates"))
    assert one.table.timestamp.to_pandas()[0] == pd.Timestamp("2026-03-01", tz="UTC")


def test_a_duckdb_file_is_read_not_written(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as raw:
        raw.execute(f"CREATE TABLE touchpoints AS SELECT * FROM read_csv('{SAMPLE}') LIMIT 2000")
    con = jl.connect(ibis.duckdb.connect(str(path), read_only=True))
    ds = jl.Dataset.from_table(con.table("touchpoints"))
    assert ds.n_rows == 2000
    assert ds.table.op().namespace.catalog == "journeylib_scratch"
    other = jl.on_new_cursor(ds)  # as the deferred Excel report reads it
    assert other.table.count().execute() == 2000
    _same(jl.funnel(other), jl.funnel(ds))
    jl.drop_dataset(ds)
    with pytest.raises(Exception):  # noqa: B017 - the engine's own "table does not exist"
        ds.table.count().execute()
    con.disconnect()
    with duckdb.connect(str(path), read_only=True) as raw:
        assert raw.execute("SHOW TABLES").fetchall() == [("touchpoints",)]


def test_connect_takes_a_backend_and_sets_its_clock():
    backend = ibis.duckdb.connect()
    backend.raw_sql("SET TimeZone = 'Europe/Warsaw'")
    assert jl.connect(backend) is backend
    zone = backend.raw_sql("SELECT current_setting('TimeZone')").fetchone()[0]
    assert zone == "UTC"


def test_the_bound_name_is_valid_on_every_engine(bound_sample):
    name = bound_sample.table.op().name
    assert name.startswith("touchpoints_") and len(name) <= 30
    assert name.replace("_", "").isalnum() and name == name.lower()


def test_a_filtered_bound_dataset_filters(bound_sample):
    only = jl.apply_filters(bound_sample, jl.Filters(segments=["Business"]))
    assert dataclasses.replace(only).key != bound_sample.key
    n = int(only.table.count().execute())
    assert 0 < n < bound_sample.n_rows
    assert np.isclose(jl.summary(only)["rows"], n)
