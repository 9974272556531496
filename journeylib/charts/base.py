"""Shared look of every chart: palette and the guard against charting raw rows."""

from __future__ import annotations

import pandas as pd

# Colour-blind-safe categorical palette (Okabe-Ito), readable on a projector.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MAX_CHART_ROWS = 5000


def check_small(frame: pd.DataFrame) -> None:
    """Refuse chart input above :data:`MAX_CHART_ROWS` rows: aggregate before charting."""
    if len(frame) > MAX_CHART_ROWS:
        raise ValueError(
            f"chart input has {len(frame):,} rows; aggregate before charting "
            f"(limit {MAX_CHART_ROWS:,})"
        )
