"""Altair chart builders: aggregated DataFrame in, chart out (no Streamlit, no raw rows).

One module per analysis; everything public is re-exported here.
"""

from journeylib.charts.base import MAX_CHART_ROWS, PALETTE, check_small
from journeylib.charts.quality import touchpoints_over_time_chart

__all__ = ["MAX_CHART_ROWS", "PALETTE", "check_small", "touchpoints_over_time_chart"]
