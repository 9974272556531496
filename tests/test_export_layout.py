"""Exported charts at the size of their medium, every label legible: no text on another, none
beyond the slide, in English, Russian and Polish (whose labels run longest)."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from pypdf import PdfReader

import journeylib as jl
from journeylib import i18n
from journeylib.attribution import ALL, attribution
from journeylib.charts import (
    attribution_chart,
    emotion_curve_chart,
    emotion_timeline_chart,
    funnel_chart,
    journey_map_chart,
    moments_chart,
    touchpoints_over_time_chart,
    transitions_heatmap,
)
from journeylib.charts.attribution import COLOUR_OF_MODEL
from journeylib.emotion import emotion_curve, emotion_timeline
from journeylib.export import SLIDE, content_box, export_chart, fit_for
from journeylib.i18n import label
from journeylib.moments import moments_of_truth
from journeylib.paths import stage_transitions
from journeylib.quality import touchpoints_over_time
from tests.layout_check import outside, overlapping, text_boxes

# Every chart with download buttons on a page (grep chart_downloads app_pages dashboard).
CHARTS = {
    "funnel": lambda ds: funnel_chart(jl.funnel(ds)),
    "emotion_curve": lambda ds: emotion_curve_chart(emotion_curve(ds, "stage"), "stage"),
    "emotion_timeline": lambda ds: emotion_timeline_chart(emotion_timeline(ds, "week"), "week"),
    "stage_heat_map": lambda ds: transitions_heatmap(stage_transitions(ds), ds.stages),
    "attribution": lambda ds: attribution_chart(attribution(ds, n_boot=20), "conversions"),
    "moments": lambda ds: moments_chart(moments_of_truth(ds, "purchase"), "purchase"),
    "touchpoints_per_week": lambda ds: touchpoints_over_time_chart(touchpoints_over_time(ds),
                                                                   ds.stages),
    "journey_map": lambda ds: journey_map_chart(*_map(ds)),
}
NOTE = "journeys.csv — filters: segment: Business; channels: email, search, display"


def _map(ds):
    jmap = jl.build_journey_map(ds)
    return jmap.stages, jmap.touchpoints


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
@pytest.mark.parametrize("name", list(CHARTS))
def test_slide_texts_are_apart_and_on_the_slide(sample_dataset, name, lang) -> None:
    with i18n.language(lang):
        layout = fit_for(CHARTS[name](sample_dataset), "slide", footnote=NOTE)
    boxes, size = text_boxes(layout.spec, layout.scale, layout.offset)
    assert layout.box == SLIDE
    assert size[0] <= SLIDE[0] + 0.5 and size[1] <= SLIDE[1] + 0.5
    assert overlapping(boxes) == []
    assert outside(boxes, *SLIDE) == []
    assert any(NOTE[:20] in b.text for b in boxes)  # the footnote is on the slide


@pytest.mark.parametrize("name", list(CHARTS))
def test_slide_png_is_1600_by_900_at_twice_the_pixels(sample_dataset, name) -> None:
    png = export_chart(CHARTS[name](sample_dataset), "png", footnote=NOTE)
    assert Image.open(io.BytesIO(png)).size == (3200, 1800)


def test_svg_and_pdf_have_the_slide_size(sample_dataset) -> None:
    chart = CHARTS["funnel"](sample_dataset)
    svg = export_chart(chart, "svg", footnote=NOTE).decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="900"')
    assert NOTE in svg
    page = PdfReader(io.BytesIO(export_chart(chart, "pdf"))).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (1600, 900)


def test_page_medium_fills_the_handout_content_box(sample_dataset) -> None:
    box = content_box("letter")
    layout = fit_for(CHARTS["emotion_curve"](sample_dataset), "page", box=box)
    boxes, size = text_boxes(layout.spec, layout.scale, layout.offset)
    assert size[0] <= box[0] + 0.5 and size[1] <= box[1] + 0.5
    assert size[0] > box[0] - 10  # widened to the box, not left at Vega's 200 px
    assert outside(boxes, *box) == [] and overlapping(boxes) == []
    with pytest.raises(ValueError, match="medium must be"):
        export_chart(CHARTS["funnel"](sample_dataset), "png", medium="poster")


def test_chart_without_width_is_widened_to_the_slide(sample_dataset) -> None:
    # In the app it fills the page's width ("stretch"); exported it gets the slide's width.
    layout = fit_for(CHARTS["stage_heat_map"](sample_dataset), "slide")
    assert layout.chart_size[0] * layout.scale > 0.9 * (SLIDE[0] - 64)


def test_heat_map_numbers_are_whole(sample_dataset) -> None:
    layout = fit_for(CHARTS["stage_heat_map"](sample_dataset), "slide")
    boxes, _ = text_boxes(layout.spec, layout.scale, layout.offset)
    counts = stage_transitions(sample_dataset)["customers"]
    assert f"{int(counts.max()):,}" in {b.text for b in boxes}  # "3,949", not ",94"


def test_weekly_valence_labels_are_distinct(sample_dataset) -> None:
    layout = fit_for(CHARTS["emotion_timeline"](sample_dataset), "slide")
    boxes, _ = text_boxes(layout.spec, layout.scale, layout.offset)
    valence = [b.text for b in boxes if b.role == "axis-label" and b.text[:1] in "+−-"]
    assert len(valence) >= 3 and len(valence) == len(set(valence))


def test_long_russian_step_names_wrap(sample_dataset) -> None:
    with i18n.language("ru"):
        frame = jl.funnel(sample_dataset).assign(
            stage=["Осведомлённость о бренде", "Рассмотрение вариантов", "Покупка",
                   "Удержание клиентов", "Рекомендации друзьям"])
        layout = fit_for(funnel_chart(frame), "page", box=content_box("a4"))
    boxes, _ = text_boxes(layout.spec, layout.scale, layout.offset)
    assert overlapping(boxes) == []
    spec = json.dumps(layout.spec, ensure_ascii=False).replace('\\"', '"')
    assert '["1. Осведомлённость о", "бренде"]' in spec


def test_models_keep_their_colours_whichever_are_drawn(sample_dataset) -> None:
    def colours(models):
        spec = attribution_chart(attribution(sample_dataset, models, n_boot=0)).to_dict()
        scale = spec["spec"]["layer"][0]["encoding"]["color"]["scale"]
        return dict(zip(scale["domain"], scale["range"], strict=True))

    few = colours(("last_touch", "markov"))
    assert few == {label("last_touch"): COLOUR_OF_MODEL["last_touch"],
                   label("markov"): COLOUR_OF_MODEL["markov"]}
    assert colours(ALL)[label("markov")] == few[label("markov")]
