"""A small read-only JSON API for aggregates, for a city's data warehouse."""
