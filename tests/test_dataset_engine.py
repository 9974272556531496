"""The dataset's engine table: freed when the session loads other data, and readable from
another thread through its own cursor (deferred downloads run outside the script thread)."""

from __future__ import annotations

import threading

import journeylib as jl

SAMPLE = "sample_data/journeys.csv"


def test_drop_dataset_frees_its_table() -> None:
    con = jl.connect()
    first = jl.load(SAMPLE, con=con)
    second = jl.load(SAMPLE, con=con)
    assert len(con.list_tables()) == 2
    jl.drop_dataset(first)
    assert con.list_tables() == [second.table.op().name]


def test_a_dataset_on_a_new_cursor_gives_the_same_answers_from_another_thread() -> None:
    ds = jl.load(SAMPLE)
    filters = jl.Filters(segments=("Business",))
    expected = jl.funnel(jl.apply_filters(ds, filters))
    results: dict[str, object] = {}

    def work() -> None:
        results["funnel"] = jl.funnel(jl.apply_filters(jl.on_new_cursor(ds), filters))
        # The cursor keeps the session's clock in UTC (week boundaries depend on it).
        raw = jl.on_new_cursor(ds).table._find_backend().con
        results["tz"] = raw.execute("SELECT current_setting('TimeZone')").fetchone()[0]

    threads = [threading.Thread(target=work) for _ in range(2)]
    for th in threads:
        th.start()
    # The script thread keeps using the session connection meanwhile.
    during = jl.funnel(ds)
    for th in threads:
        th.join()
    assert results["funnel"].equals(expected)
    assert results["tz"] == "UTC"
    assert during["customers"].iloc[0] == 5000
