"""Benchmarks, run on demand with ``make bench`` (never part of ``make test``).

Every figure that depends on the machine's speed is reported as a ratio against a baseline
measured in the same run; ``bench/RESULTS.md`` is rewritten section by section.
"""
