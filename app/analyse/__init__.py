"""Planners' side: results per quarter, district and city, and exports."""
