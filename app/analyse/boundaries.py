"""The city's quarter boundaries, kept as one GeoJSON file in the instance folder (no table).

``save_boundaries`` checks an uploaded file and replaces ``<instance>/boundaries.geojson``
atomically: all of it, or nothing and the problems. ``load_boundaries`` reads it back (cached
until the file changes).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from flask_babel import gettext as _

from app.domain.export_json import QUARTER_PROPERTIES, detect_quarter_property

#: Largest boundaries file accepted.
MAX_BOUNDARIES_BYTES = 20 * 1024 * 1024
FILE_NAME = "boundaries.geojson"
#: Geometry types a quarter may have.
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
#: At most this many problems with single features are listed.
MAX_LISTED = 20

_cache: dict[str, tuple[float, int, dict]] = {}


def boundaries_path(instance_path) -> Path:
    """Where the boundaries are kept."""
    return Path(instance_path) / FILE_NAME


def check_boundaries(data: bytes) -> tuple[dict | None, list[str]]:
    """The parsed FeatureCollection of ``data`` and the problems found (translated texts)."""
    if len(data) > MAX_BOUNDARIES_BYTES:
        return None, [_("The file is larger than 20 MB.")]
    if not data.strip():
        return None, [_("The file is empty.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [_("The file is not UTF-8 text. GeoJSON files are always UTF-8.")]
    try:
        collection = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [_("The file is not valid JSON: line %(line)d, column %(column)d: %(message)s.",
                        line=error.lineno, column=error.colno, message=error.msg)]
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        return None, [_("The file is not a GeoJSON FeatureCollection.")]
    features = collection["features"]
    if not features:
        return None, [_("The file has no features.")]
    problems = []
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or not geometry.get("coordinates"):
            problems.append(_("Feature %(number)d has no geometry.", number=number))
        elif geometry.get("type") not in GEOMETRY_TYPES:
            problems.append(_("Feature %(number)d is a %(type)s, not a Polygon or MultiPolygon.",
                              number=number, type=str(geometry.get("type"))))
    if len(problems) > MAX_LISTED:
        problems = problems[:MAX_LISTED] + [_("… and %(more)d more features with problems.",
                                              more=len(problems) - MAX_LISTED)]
    if detect_quarter_property(features, set()) is None:
        problems.append(_("No feature property holds the quarter codes. Name it one of: %(names)s.",
                          names=", ".join(QUARTER_PROPERTIES)))
    return collection, problems


def save_boundaries(data: bytes, instance_path) -> tuple[int, list[str]]:
    """Check ``data`` and, without problems, write it to ``<instance>/boundaries.geojson``
    atomically (a temporary file renamed over the old one). Returns (features, problems); with
    problems nothing is written and the count is 0."""
    collection, problems = check_boundaries(data)
    if problems or collection is None:
        return 0, problems
    path = boundaries_path(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".boundaries-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(collection, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _cache.pop(str(path), None)
    return len(collection["features"]), []


def load_boundaries(instance_path) -> dict | None:
    """The stored FeatureCollection, or None when none is stored (or it cannot be read)."""
    path = boundaries_path(instance_path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    cached = _cache.get(str(path))
    if cached and cached[:2] == (stat.st_mtime, stat.st_size):
        return cached[2]
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    _cache[str(path)] = (stat.st_mtime, stat.st_size, collection)
    return collection
