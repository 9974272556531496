"""The funnel's first-touch breakdown and the drop-off / reached lists' last touch are one
definite row when events share a timestamp: the lower (first touch) or higher (last touch)
source row, whatever the physical order of the table (bug: both were argmin/argmax by
timestamp alone, so engines and runs could disagree on day-resolution data)."""

from __future__ import annotations

import pandas as pd

import journeylib as jl
from tests.test_engine_ties import reversed_rows


def _tied() -> list[jl.Dataset]:
    rows = []
    for i in range(20):
        c = f"C{i:02d}"
        rows += [
            (c, "2026-03-02", "Awareness", "Ad", "search", 3, 0, 10.0, "A", "note"),
            (c, "2026-03-02", "Awareness", "Mail", "email", 3, 0, 10.0, "A", "note"),
            (c, "2026-03-04", "Consideration", "Page", "direct", 3, 0, 10.0, "A", "note"),
            (c, "2026-03-04", "Awareness", "Banner", "display", 3, 0, 10.0, "A", "note"),
        ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                        "channel", "emotion", "converted", "revenue",
                                        "segment", "note"])
    ds = jl.load(frame, stages=["Awareness", "Consideration", "Purchase"])
    return [ds, reversed_rows(ds)]


def test_breakdown_by_the_first_touch_takes_the_lower_source_row() -> None:
    for ds in _tied():
        for entry in ("best", "first"):
            frame = jl.funnel(ds, ["Awareness", "Consideration"], by="channel", entry=entry)
            assert set(frame["breakdown"]) == {"search"}, (entry, frame)


def test_drop_offs_and_reached_name_the_later_row_of_a_tie_as_the_last_touch() -> None:
    for ds in _tied():
        lost = jl.drop_offs(ds, 3, ["Awareness", "Consideration", "Purchase"])
        assert set(lost["last_touchpoint"]) == {"Banner"}
        assert set(lost["last_stage"]) == {"Awareness"}
        got = jl.reached(ds, 2, ["Awareness", "Consideration"])
        assert set(got["last_channel"]) == {"display"}
