"""journeylib: customer-journey analytics on touchpoint data (funnels, attribution, emotions).

Every calculation is an Ibis query on ``Dataset.table`` (DuckDB by default); only aggregates
come back to Python.
"""

from journeylib import sample
from journeylib.columns import CANONICAL, guess_mapping
from journeylib.dataset import Dataset, LoadReport, Touchpoints, connect
from journeylib.errors import DataError
from journeylib.filters import Filters, apply_filters, describe_filters, filter_options
from journeylib.load import TABLE_COLUMNS, load, parse_touchpoints, resolve_mapping, to_dataset
from journeylib.quality import data_quality, duplicate_touchpoints, summary
from journeylib.read import RawTable, read_table
from journeylib.stages import STAGE_PRESETS, infer_stage_order
from journeylib.valence import LEXICON, SCALES, normalise_emotion

__all__ = [
    "CANONICAL",
    "LEXICON",
    "SCALES",
    "STAGE_PRESETS",
    "TABLE_COLUMNS",
    "DataError",
    "Dataset",
    "Filters",
    "LoadReport",
    "RawTable",
    "Touchpoints",
    "apply_filters",
    "connect",
    "data_quality",
    "describe_filters",
    "duplicate_touchpoints",
    "filter_options",
    "guess_mapping",
    "infer_stage_order",
    "load",
    "normalise_emotion",
    "parse_touchpoints",
    "read_table",
    "resolve_mapping",
    "sample",
    "summary",
    "to_dataset",
]
