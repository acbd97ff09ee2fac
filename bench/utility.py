"""Benchmark 4: what the cell key method costs planners — in accuracy and in time.

The city-scale survey of benchmark 3 (20 questions, 100,000 invented responses over Stuttgart's
152 quarters, some quarters small) is aggregated twice from the same counts in one process:
once through the release layer as it runs (perturbation table from the default settings, k = 5)
and once with a table that changes nothing and k = 0 — the true counts. Every cell (each
option of each question, each question's base, each area's responses, in the city, 23
districts and 152 quarters) is compared:

- the mean absolute deviation of published from true counts, for cells of 20 or more;
- the share of cells not shown, per level, against the share plain suppression (true count
  below k) would hide;
- the time the release layer takes: aggregating with the perturbation table against
  aggregating with the table that changes nothing (same code, same counts), the median of five
  runs each taken in turns, and the daily release check every read makes.
"""
from __future__ import annotations

import statistics
import tempfile
import time

from bench.report import Row, Section, Table
from bench.scale import SURVEY_CODE, generate

SIZE = 100_000
QUICK_SIZE = 3_000
LEVELS = ("city", "district", "quarter")


def _cells(results) -> dict[tuple, object]:
    """Every figure of a results object: (question or _responses, area, option or _n) → Figure."""
    found = {}
    for result in results.questions:
        for area, figures in result.areas.items():
            found[(result.question.code, area, "_n")] = figures.base
            for option, figure in figures.options.items():
                found[(result.question.code, area, option)] = figure
    for area, figure in results.responses.items():
        found[("_responses", area, "_n")] = figure
    return found


def _median_seconds(*works, repeats: int = 7) -> list[float]:
    """Median time of each of ``works``, run in turns (so that neither gains from going first)."""
    for work in works:
        work()  # warm up
    times = [[] for _ in works]
    for _ in range(repeats):
        for work, taken in zip(works, times):
            started = time.perf_counter()
            work()
            taken.append(time.perf_counter() - started)
    return [statistics.median(taken) for taken in times]


def measure(size: int) -> dict:
    from app import create_app
    from app.domain.aggregation import aggregate
    from app.domain.cellkey import KEY_RANGE, PerturbationTable, Row as TableRow
    from app.models import Survey
    from app.models.surveys import scope_quarters, version_definition
    from app.results import releases
    from app.results.queries import perturbation_table, survey_areas, survey_counts

    with tempfile.TemporaryDirectory(prefix="bench-utility-") as tmp:
        url = f"sqlite:///{tmp}/utility.sqlite"
        started = time.perf_counter()
        generate(url, size)
        print(f"  {size} responses generated in {time.perf_counter() - started:.0f} s", flush=True)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            survey = Survey.by_code(SURVEY_CODE)
            questions = version_definition(survey.current_version).questions
            areas = survey_areas(survey)
            quarters = [q.code for q in scope_quarters(survey)]
            counts = survey_counts(survey)
            table = perturbation_table()
            unchanged = PerturbationTable(table.parameters, (TableRow(0, (0,) * KEY_RANGE),))
            k = app.config["K_ANONYMITY"]
            published = _cells(aggregate(questions, areas, counts, k, quarters, table))
            truth = _cells(aggregate(questions, areas, counts, 0, quarters, unchanged))
            perturbed_time, plain_time = _median_seconds(
                lambda: aggregate(questions, areas, counts, k, quarters, table),
                lambda: aggregate(questions, areas, counts, k, quarters, unchanged))
            (check_time,) = _median_seconds(lambda: releases.ensure(survey), repeats=20)
    deviations = [abs(published[key].count - truth[key].count) for key in truth
                  if truth[key].count >= 20 and not published[key].hidden]
    not_shown_large = sum(1 for key in truth if truth[key].count >= 20 and published[key].hidden)
    levels = {}
    for level in LEVELS:
        keys = [key for key in truth if key[1][0] == level and truth[key].count > 0]
        levels[level] = (len(keys), sum(1 for key in keys if published[key].hidden),
                         sum(1 for key in keys if truth[key].count < k))
    return {"mad": statistics.mean(deviations), "large": len(deviations), "not_shown_large": not_shown_large,
            "largest": max(deviations), "levels": levels, "perturbed": perturbed_time, "plain": plain_time,
            "check": check_time, "cells": len(truth), "k": k}


def run(quick: bool = False) -> Section:
    size = QUICK_SIZE if quick else SIZE
    figures = measure(size)
    accuracy = Table(f"Accuracy with {size:,} responses ({figures['cells']:,} cells)")
    accuracy.rows.append(Row(f"Mean absolute deviation, cells of 20 or more ({figures['large']:,})", "≤ 1",
                             f"{figures['mad']:.2f} (largest {figures['largest']})", "0 (true counts)", "",
                             figures["mad"] <= 1))
    accuracy.rows.append(Row("Cells of 20 or more not shown", "0", str(figures["not_shown_large"]), "", "",
                             figures["not_shown_large"] == 0))
    for level in LEVELS:
        cells, hidden, below_k = figures["levels"][level]
        accuracy.rows.append(Row(
            f"Cells not shown, {level} level (of {cells:,} with answers)", "",
            f"{hidden / cells:.1%} ({hidden:,})" if cells else "–",
            f"{below_k / cells:.1%} below k" if cells else "", f"{hidden / below_k:.2f}" if below_k else "", None))
    cost = Table("Time of the release layer (median of 7, in turns)")
    ratio = figures["perturbed"] / figures["plain"]
    cost.rows.append(Row("Aggregating every cell with the perturbation table", "≤ 1.10 × the same without",
                         f"{figures['perturbed']:.3f} s", f"{figures['plain']:.3f} s", f"{ratio:.2f}", ratio <= 1.10))
    cost.rows.append(Row("The daily release check before each read (nothing due)", "", f"{figures['check'] * 1000:.1f} ms",
                         "", "", None))
    section = Section("utility", f"4. What protection costs: accuracy and time ({size:,} responses)", [accuracy, cost])
    section.notes.append(__doc__.split("\n\n", 1)[1])
    section.notes.append(
        "Baseline of the hidden shares: the cells that plain suppression of true counts below k would hide. The "
        "cell key method hides more, because a published value below k is not shown (a true 5 to 7 can come out "
        "as 2 to 4 and is then hidden, and a whole question in an area is hidden when its published base is "
        "below k). The page and export times of section 3, measured with the layer in place, are the "
        "end-to-end cost.")
    return section
