"""journeylib: customer-journey analytics on touchpoint data (funnels, attribution, emotions).

Every calculation is an Ibis query on ``Dataset.table`` (DuckDB by default); only aggregates
come back to Python.
"""

from journeylib import sample
from journeylib.attribution import ALL as ATTRIBUTION_MODELS
from journeylib.attribution import attribution, model_note, removal_effects, transition_matrix
from journeylib.columns import CANONICAL, guess_mapping
from journeylib.conversion import conversion_trend, time_to_convert
from journeylib.correlation import funnel_correlation
from journeylib.dataset import (
    Dataset,
    LoadReport,
    Touchpoints,
    connect,
    drop_dataset,
    on_new_cursor,
)
from journeylib.emotion import (
    delight_points,
    emotion_curve,
    emotion_timeline,
    journey_score,
    pain_points,
)
from journeylib.errors import DataError, EngineError
from journeylib.export import export_chart, footnote
from journeylib.filters import Filters, apply_filters, describe_filters, filter_options
from journeylib.funnel import Exclusion, breakdown_label, drop_offs, funnel, reached
from journeylib.funnel_spec import FunnelSpec, Step
from journeylib.journey_map import build_journey_map, outcome_names
from journeylib.load import TABLE_COLUMNS, load, parse_touchpoints, resolve_mapping, to_dataset
from journeylib.moments import OUTCOMES, moments_of_truth
from journeylib.paths import stage_transitions, top_paths
from journeylib.paths_table import PathTable
from journeylib.quality import data_quality, duplicate_touchpoints, rejection_reasons, summary
from journeylib.read import RawTable, list_members, read_table
from journeylib.report import column_header, excel_report
from journeylib.segments import compare_segments
from journeylib.shapley import shapley_values
from journeylib.stages import STAGE_PRESETS, infer_stage_order
from journeylib.timezones import with_timezone
from journeylib.touchpoints import scorecard
from journeylib.valence import LEXICON, SCALES, normalise_emotion

__all__ = [
    "ATTRIBUTION_MODELS",
    "CANONICAL",
    "LEXICON",
    "OUTCOMES",
    "SCALES",
    "STAGE_PRESETS",
    "TABLE_COLUMNS",
    "DataError",
    "Dataset",
    "EngineError",
    "Exclusion",
    "Filters",
    "FunnelSpec",
    "LoadReport",
    "PathTable",
    "RawTable",
    "Step",
    "Touchpoints",
    "apply_filters",
    "attribution",
    "breakdown_label",
    "build_journey_map",
    "column_header",
    "compare_segments",
    "connect",
    "conversion_trend",
    "data_quality",
    "delight_points",
    "describe_filters",
    "drop_dataset",
    "drop_offs",
    "duplicate_touchpoints",
    "emotion_curve",
    "emotion_timeline",
    "excel_report",
    "export_chart",
    "filter_options",
    "footnote",
    "funnel",
    "funnel_correlation",
    "guess_mapping",
    "infer_stage_order",
    "journey_score",
    "list_members",
    "load",
    "model_note",
    "moments_of_truth",
    "normalise_emotion",
    "on_new_cursor",
    "outcome_names",
    "pain_points",
    "parse_touchpoints",
    "reached",
    "read_table",
    "rejection_reasons",
    "removal_effects",
    "resolve_mapping",
    "sample",
    "scorecard",
    "shapley_values",
    "stage_transitions",
    "summary",
    "time_to_convert",
    "to_dataset",
    "top_paths",
    "transition_matrix",
    "with_timezone",
]
