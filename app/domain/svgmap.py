"""A choropleth map of the quarters as an SVG document, drawn on the server (no JavaScript).

Pure Python: the caller brings the boundaries (a GeoJSON FeatureCollection), one value per
quarter code, the codes whose figure is suppressed, and every text already translated. Quarters
are coloured in five equal classes of a colour-blind-safe sequential scale (ColorBrewer YlGnBu);
suppressed quarters are hatched, never coloured, so the colour scale alone never reveals them;
quarters without data are light grey. Every text that goes into the SVG is escaped here.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from app.domain.export_json import detect_quarter_property, normalise_code

#: Five classes, light to dark (ColorBrewer YlGnBu, colour-blind safe; the darkest has a contrast
#: above 10:1 against white, the lightest is told apart from "no data" by its hue).
CLASS_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
#: Fill of quarters without data.
NO_DATA_COLOUR = "#d9d9d9"
#: Lines of the hatching of suppressed quarters, and its background.
HATCH_COLOUR = "#4d4d4d"
HATCH_BACKGROUND = "#ffffff"
#: Outline of every quarter.
STROKE_COLOUR = "#5a5a5a"
TEXT_COLOUR = "#1a1a1a"
PADDING = 8
LEGEND_ROW = 22
LEGEND_SWATCH = 16


@dataclass(frozen=True)
class MapLabels:
    """The translated texts of a map (the caller translates; this module only escapes)."""

    #: Legend entry and tooltip of a hatched quarter, e.g. "fewer than 5 answers".
    suppressed: str
    #: Legend entry and tooltip of a quarter without data.
    no_data: str
    #: Heading of the legend.
    legend: str = "Legend"


def _format_default(value: float) -> str:
    return f"{value:.1f}"


def _rings(geometry: dict) -> list[list[list]]:
    """The polygons of a Polygon or MultiPolygon geometry, each a list of rings."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if not isinstance(coordinates, list):
        return []
    if kind == "Polygon":
        return [coordinates]
    if kind == "MultiPolygon":
        return [polygon for polygon in coordinates if isinstance(polygon, list)]
    return []


def _points(ring: Iterable) -> list[tuple[float, float]]:
    """The points of a ring as floats; anything that is not a pair of numbers is skipped."""
    points = []
    for point in ring if isinstance(ring, list) else []:
        if isinstance(point, (list, tuple)) and len(point) >= 2:
            x, y = point[0], point[1]
            if isinstance(x, (int, float)) and isinstance(y, (int, float)) \
                    and not isinstance(x, bool) and not isinstance(y, bool) \
                    and math.isfinite(x) and math.isfinite(y):
                points.append((float(x), float(y)))
    return points


def class_breaks(low: float, high: float, classes: int = 5) -> list[float]:
    """``classes + 1`` equally spaced bounds from ``low`` to ``high``."""
    if high <= low:
        high = low + 1
    step = (high - low) / classes
    return [low + step * i for i in range(classes)] + [high]


def class_of(value: float, breaks: list[float]) -> int:
    """The class (0 … len(breaks) - 2) of ``value``; the upper bound of a class belongs to the
    next one, the top bound to the last class; values outside fall into the end classes."""
    last = len(breaks) - 2
    for index in range(last):
        if value < breaks[index + 1]:
            return index
    return last


def render_map(boundaries: dict, values: dict[str, float | None], hidden: set[str], title: str,
               labels: MapLabels, *, description: str = "", names: dict[str, str] | None = None,
               domain: tuple[float, float] | None = None,
               format_value: Callable[[float], str] = _format_default,
               code_property: str | None = None, width: int = 640, id_prefix: str = "qmap") -> str:
    """The SVG (as text) of ``boundaries`` coloured by ``values`` (quarter code → value).

    ``hidden``: codes whose figure is suppressed (hatched). A quarter neither in ``hidden`` nor
    with a value in ``values`` is drawn as "no data". ``domain`` is the range the five classes
    divide (default: the smallest to the largest value). ``names`` name the quarters in the
    tooltips (default: a name property of the feature, else the code). ``code_property`` is the
    feature property with the quarter code (default: detected, as the GeoJSON export does).
    Raises ValueError unless ``boundaries`` is a GeoJSON FeatureCollection.
    """
    if not isinstance(boundaries, dict) or boundaries.get("type") != "FeatureCollection" \
            or not isinstance(boundaries.get("features"), list):
        raise ValueError("boundaries must be a GeoJSON FeatureCollection")
    names = names or {}
    features = [f for f in boundaries["features"] if isinstance(f, dict)]
    if code_property is None:
        known = {str(code) for code in [*values, *hidden, *names]}
        code_property = detect_quarter_property(features, known)

    shapes = []  # (code, name, polygons)
    for feature in features:
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        polygons = [[_points(ring) for ring in polygon] for polygon in _rings(feature.get("geometry"))]
        polygons = [[ring for ring in polygon if len(ring) >= 3] for polygon in polygons]
        polygons = [polygon for polygon in polygons if polygon]
        if not polygons:
            continue
        code = normalise_code(properties.get(code_property)) if code_property else None
        name = names.get(code or "") or _name_property(properties) or code or ""
        shapes.append((code, name, polygons))

    all_points = [p for _, _, polygons in shapes for polygon in polygons for ring in polygon for p in ring]
    project, map_height = _projection(all_points, width)

    shown = {code: value for code, value in values.items()
             if code not in hidden and value is not None and math.isfinite(value)}
    if domain is None:
        domain = (min(shown.values()), max(shown.values())) if shown else (0.0, 1.0)
    breaks = class_breaks(*domain)

    hatch_id = f"{id_prefix}-hatch"
    legend_top = map_height + PADDING
    legend_rows = max(len(CLASS_COLOURS), 2)
    height = legend_top + LEGEND_ROW * (legend_rows + 1) + PADDING
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="sans-serif" font-size="13">'),
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        (f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{HATCH_BACKGROUND}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH_COLOUR}" stroke-width="2"/></pattern></defs>'),
        '<g class="quarters" stroke-linejoin="round">',
    ]
    for code, name, polygons in shapes:
        if code in hidden:
            fill, text = f"url(#{hatch_id})", labels.suppressed
        elif code in shown:
            fill, text = CLASS_COLOURS[class_of(shown[code], breaks)], format_value(shown[code])
        else:
            fill, text = NO_DATA_COLOUR, labels.no_data
        path = " ".join(_ring_path(ring, project) for polygon in polygons for ring in polygon)
        tooltip = f"{name} ({code}): {text}" if code and name != code else f"{name}: {text}"
        parts.append(f'<path d="{path}" fill="{fill}" fill-rule="evenodd" stroke="{STROKE_COLOUR}" '
                     f'stroke-width="0.6" data-code="{escape(code or "")}"><title>{escape(tooltip)}</title></path>')
    parts.append("</g>")
    parts.append(_legend(legend_top, breaks, labels, format_value, hatch_id))
    parts.append("</svg>")
    return "".join(parts)


def _name_property(properties: dict) -> str:
    """The value of the first property whose name contains "name" (STADTTEILNAME, name …)."""
    for key, value in properties.items():
        if "name" in str(key).lower() and isinstance(value, str) and value.strip() \
                and "bezirk" not in str(key).lower() and "district" not in str(key).lower():
            return value.strip()
    return ""


def _projection(points: list[tuple[float, float]], width: int):
    """A function from coordinates to SVG points fitting ``width``, and the map's height.

    WGS84 longitudes and latitudes get an equirectangular projection with x scaled by the cosine
    of the mean latitude; other coordinates (already projected) are taken as they are. North is up.
    """
    if not points:
        return (lambda p: (0.0, 0.0)), 0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    lon_lat = min(xs) >= -180 and max(xs) <= 180 and min(ys) >= -90 and max(ys) <= 90
    factor = math.cos(math.radians((min(ys) + max(ys)) / 2)) if lon_lat else 1.0
    min_x, max_x, min_y, max_y = min(xs) * factor, max(xs) * factor, min(ys), max(ys)
    span_x, span_y = max(max_x - min_x, 1e-12), max(max_y - min_y, 1e-12)
    inner = width - 2 * PADDING
    scale = inner / span_x
    height = span_y * scale
    if height > inner * 1.5:  # very tall shapes: keep the map no taller than 1.5 widths
        scale = inner * 1.5 / span_y
        height = span_y * scale
    offset_x = PADDING + (inner - span_x * scale) / 2

    def project(point: tuple[float, float]) -> tuple[float, float]:
        return (offset_x + (point[0] * factor - min_x) * scale, PADDING + (max_y - point[1]) * scale)

    return project, math.ceil(height + PADDING)


def _ring_path(ring: list[tuple[float, float]], project) -> str:
    """One closed subpath; points that round to the same position as the previous one are dropped."""
    commands, last = [], None
    for point in ring:
        x, y = project(point)
        here = (round(x, 1), round(y, 1))
        if here != last:
            commands.append(f"{here[0]:g},{here[1]:g}")
            last = here
    return "M" + " L".join(commands) + " Z"


def _legend(top: int, breaks: list[float], labels: MapLabels, format_value, hatch_id: str) -> str:
    """Five classes in the left column, "suppressed" and "no data" in the right one."""
    parts = [f'<g class="legend" fill="{TEXT_COLOUR}">',
             f'<text x="{PADDING}" y="{top + 14}" font-weight="bold">{escape(labels.legend)}</text>']

    def entry(x: int, row: int, fill: str, text: str) -> str:
        y = top + LEGEND_ROW * (row + 1)
        return (f'<rect x="{x}" y="{y}" width="{LEGEND_SWATCH}" height="{LEGEND_SWATCH}" fill="{fill}" '
                f'stroke="{STROKE_COLOUR}" stroke-width="0.8"/>'
                f'<text x="{x + LEGEND_SWATCH + 6}" y="{y + 13}">{escape(text)}</text>')

    for index, colour in enumerate(CLASS_COLOURS):
        text = f"{format_value(breaks[index])} – {format_value(breaks[index + 1])}"
        parts.append(entry(PADDING, index, colour, text))
    column = PADDING + 220
    parts.append(entry(column, 0, f"url(#{hatch_id})", labels.suppressed))
    parts.append(entry(column, 1, NO_DATA_COLOUR, labels.no_data))
    parts.append("</g>")
    return "".join(parts)


__all__ = ["CLASS_COLOURS", "NO_DATA_COLOUR", "MapLabels", "class_breaks", "class_of", "render_map"]
