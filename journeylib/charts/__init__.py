"""Altair chart builders: aggregated DataFrame in, chart out (no Streamlit, no raw rows).

One module per analysis; everything public is re-exported here.
"""

from journeylib.charts.attribution import (
    attribution_chart,
    removal_effects_chart,
    transition_matrix_chart,
)
from journeylib.charts.base import MAX_CHART_ROWS, PALETTE, check_small
from journeylib.charts.emotion import emotion_curve_chart, emotion_timeline_chart, moments_chart
from journeylib.charts.funnel import conversion_trend_chart, funnel_chart, time_to_convert_chart
from journeylib.charts.journey_map import journey_map_chart
from journeylib.charts.paths import transitions_heatmap
from journeylib.charts.quality import touchpoints_over_time_chart

__all__ = [
    "MAX_CHART_ROWS",
    "PALETTE",
    "attribution_chart",
    "check_small",
    "conversion_trend_chart",
    "emotion_curve_chart",
    "emotion_timeline_chart",
    "funnel_chart",
    "journey_map_chart",
    "moments_chart",
    "removal_effects_chart",
    "time_to_convert_chart",
    "touchpoints_over_time_chart",
    "transition_matrix_chart",
    "transitions_heatmap",
]
