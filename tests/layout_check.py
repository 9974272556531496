"""Where the texts of a rendered chart sit: the boxes of every text mark of a Vega-Lite spec,
from vl-convert's scenegraph and the metrics of the font it draws with (Liberation Sans)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import vl_convert as vlc

from journeylib.export import text_width


@dataclass(frozen=True)
class TextBox:
    text: str
    role: str
    x1: float
    y1: float
    x2: float
    y2: float

    def overlaps(self, other: TextBox, tolerance: float = 1.0) -> bool:
        return (min(self.x2, other.x2) - max(self.x1, other.x1) > tolerance
                and min(self.y2, other.y2) - max(self.y1, other.y1) > tolerance)


def _box(item: dict, x0: float, y0: float, role: str) -> TextBox | None:
    lines = item.get("text")
    lines = lines if isinstance(lines, list) else [lines]
    lines = [str(line) for line in lines if line not in (None, "")]
    if isinstance(item.get("lineBreak"), str) and item["lineBreak"]:
        lines = [part for line in lines for part in line.split(item["lineBreak"])]
    if not lines or item.get("opacity", 1) == 0:
        return None
    size = float(item.get("fontSize", 11))
    bold = str(item.get("fontWeight", "normal")) in ("bold", "700", "800", "900")
    width = max(text_width(line, size, bold) for line in lines)
    if item.get("limit"):
        width = min(width, float(item["limit"]))
    line_height = float(item.get("lineHeight", size))
    height = size + line_height * (len(lines) - 1)
    x = x0 + float(item.get("x", 0)) + float(item.get("dx", 0))
    y = y0 + float(item.get("y", 0)) + float(item.get("dy", 0))
    align = item.get("align", "left")
    left = {"left": 0.0, "center": -width / 2, "right": -width}[align]
    baseline = item.get("baseline", "alphabetic")
    top = {"top": 0.0, "middle": -height / 2, "bottom": -height,
           "line-top": 0.0, "line-bottom": -height}.get(baseline, -size * 0.8)
    corners = [(left, top), (left + width, top), (left, top + height),
               (left + width, top + height)]
    angle = math.radians(float(item.get("angle", 0) or 0))
    xs = [x + cx * math.cos(angle) - cy * math.sin(angle) for cx, cy in corners]
    ys = [y + cx * math.sin(angle) + cy * math.cos(angle) for cx, cy in corners]
    return TextBox(lines[0], role, min(xs), min(ys), max(xs), max(ys))


def text_boxes(spec: dict, scale: float = 1.0, offset: tuple[float, float] = (0, 0)
               ) -> tuple[list[TextBox], tuple[float, float]]:
    """The boxes of ``spec``'s texts drawn ``scale`` times with its top-left at ``offset``,
    and the size of its canvas at that scale."""
    scene = vlc.vegalite_to_scenegraph(json.dumps(spec))
    ox, oy = scene.get("origin", [0, 0])
    boxes: list[TextBox] = []

    def walk(mark: dict, x0: float, y0: float) -> None:
        for item in mark.get("items", []):
            if mark.get("marktype") == "text":
                box = _box(item, x0, y0, mark.get("role", ""))
                if box is not None:
                    boxes.append(box)
            elif mark.get("marktype") == "group" or "items" in item:
                gx, gy = x0 + float(item.get("x", 0) or 0), y0 + float(item.get("y", 0) or 0)
                for child in item.get("items", []):
                    walk(child, gx, gy)

    walk(scene["scenegraph"], float(ox), float(oy))
    sx, sy = offset
    scaled = [TextBox(b.text, b.role, sx + b.x1 * scale, sy + b.y1 * scale, sx + b.x2 * scale,
                      sy + b.y2 * scale) for b in boxes]
    return scaled, (scene["width"] * scale, scene["height"] * scale)


def overlapping(boxes: list[TextBox]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap."""
    return [(a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a.overlaps(b)]


def outside(boxes: list[TextBox], width: float, height: float) -> list[str]:
    """Texts that reach beyond a ``width`` × ``height`` page."""
    return [b.text for b in boxes
            if b.x1 < -0.5 or b.y1 < -0.5 or b.x2 > width + 0.5 or b.y2 > height + 0.5]
