"""Residents hear back: the public results page of a consultation, and the coordinators' switch.

Resident-facing ("display") and staff-facing ("management") routes share this blueprint but not
their rules: the results pages need no log-in and show only suppressed figures; the page that
publishes them needs a coordinator's log-in within scope.
"""
