"""The OpenAPI document of the read-only API (served at /api/v1/openapi.json)."""
from __future__ import annotations

_COUNT = {"type": ["integer", "null"], "description": "null when suppressed"}
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1, "description": "null when suppressed"}

AGGREGATE_ROW = {
    "type": "object",
    "required": ["question_code", "level", "option_code", "count", "suppressed"],
    "properties": {
        "survey": {"type": "string"}, "version": {"type": "integer"},
        "question_code": {"type": "string"}, "question_type": {"type": "string"},
        "question_label": {"type": "string"},
        "level": {"type": "string", "enum": ["city", "district", "quarter"]},
        "district_code": {"type": ["string", "null"]}, "district_name": {"type": ["string", "null"]},
        "quarter_code": {"type": ["string", "null"]}, "quarter_name": {"type": ["string", "null"]},
        "option_code": {"type": "string", "description": "empty: the number answering the question"},
        "option_label": {"type": ["string", "null"]},
        "count": _COUNT, "share": _SHARE,
        "mean": {"type": ["number", "null"]}, "median": {"type": ["number", "null"]},
        "suppressed": {"type": "boolean"},
    },
    "additionalProperties": False,
}

SURVEY = {
    "type": "object",
    "required": ["code", "version", "languages", "title"],
    "properties": {
        "code": {"type": "string"}, "version": {"type": "integer"},
        "languages": {"type": "array", "items": {"type": "string"}},
        "title": {"type": "object", "additionalProperties": {"type": "string"}},
        "status": {"type": "string", "enum": ["draft", "open", "closed"]},
    },
    "additionalProperties": False,
}

ERROR = {"type": "object", "required": ["type", "title", "status", "detail"],
         "description": "problem details (RFC 9457); error repeats detail for older clients",
         "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                        "detail": {"type": "string"}, "error": {"type": "string"}}}


def document(k: int) -> dict:
    """The OpenAPI 3.1 document."""
    error = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Quartiersstimme read-only API",
            "version": "1",
            "description": (f"Aggregated survey results per city, district and quarter. Counts below {k}, and "
                            "counts from which they could be worked out, are null with suppressed=true. "
                            "Authenticate with a planner's token: `Authorization: Bearer qs_…`."),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"AggregateRow": AGGREGATE_ROW, "Survey": SURVEY, "Error": ERROR},
        },
        "paths": {
            "/surveys": {"get": {
                "summary": "Surveys within the token owner's scope",
                "responses": {
                    "200": {"description": "surveys", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["surveys"],
                        "properties": {"surveys": {"type": "array", "items": {"$ref": "#/components/schemas/Survey"}}}}}}},
                    "401": {"description": "no valid token", **error},
                }}},
            "/surveys/{code}/aggregates": {"get": {
                "summary": "The tidy aggregate table of a survey, optionally for one area",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "quarter", "in": "query", "schema": {"type": "string"},
                     "description": "official quarter code, e.g. 126"},
                    {"name": "district", "in": "query", "schema": {"type": "string"},
                     "description": "official district code, e.g. 02"},
                    {"name": "level", "in": "query", "schema": {"type": "string", "enum": ["city", "district", "quarter"]}},
                ],
                "responses": {
                    "200": {"description": "rows", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["survey", "version", "k", "rows"],
                        "properties": {"survey": {"type": "string"}, "version": {"type": "integer"},
                                       "k": {"type": "integer"}, "suppression_rule": {"type": "string"},
                                       "perturbation": {"type": "object", "description": (
                                           "the cell key method's parameters: max_deviation, variance, "
                                           "threshold, key_range, median_minimum")},
                                       "rows": {"type": "array", "items": {"$ref": "#/components/schemas/AggregateRow"}}}}}}},
                    "400": {"description": "a parameter outside its values", **error},
                    "401": {"description": "no valid token", **error},
                    "404": {"description": "no such survey, or one outside the token owner's scope", **error},
                }}},
        },
    }
