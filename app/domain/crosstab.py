"""Cross-tabulation of one question by a question about the respondents.

Each column is the results of one group of respondents (e.g. one age band), each row an option
of the question, and the totals are the unfiltered results: the very figures of the results
page. The groups and the whole are suppressed together by
``app.domain.aggregation.aggregate_partition`` (every cell of a group smaller than k hidden,
zeros included; counts from 1 to k − 1 hidden; and a second cell hidden wherever a hidden one
could be worked out as a total minus the rest), so the cross table, the filtered results pages
and the results page show the same figures and no difference between them reveals a small
count. Nothing here knows the database.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from app.domain.aggregation import Figure, Results

Code = Hashable


@dataclass
class CrossTab:
    """A suppressed cross table; ``row_codes`` and ``col_codes`` in display order.

    Cell shares are of the column total (the respondents in that group), set only when both the
    cell and the column total are shown.
    """

    k: int
    row_codes: list
    col_codes: list
    cells: dict[tuple, Figure]
    row_totals: dict[Code, Figure]
    col_totals: dict[Code, Figure]
    total: Figure

    def cell(self, row: Code, col: Code) -> Figure:
        """The figure of one cell."""
        return self.cells[(row, col)]

    @property
    def hidden_count(self) -> int:
        """How many figures (cells and totals) are hidden."""
        figures = [*self.cells.values(), *self.row_totals.values(), *self.col_totals.values(),
                   self.total]
        return sum(figure.hidden for figure in figures)


def crosstab_from_parts(question: str, area: tuple[str, str], whole: Results,
                        parts: Mapping[Code, Results]) -> CrossTab:
    """The cross table of ``question`` in ``area``: a row per option, a column per group of
    respondents (``parts``, in the order given), the whole as the totals.

    ``whole`` and ``parts`` come suppressed together (``aggregate_partition``): the totals are
    the very figures of the results page, and no cell can be worked out from them.
    """
    def result_in(results: Results):
        found = next(r for r in results.questions if r.question.code == question)
        return found.areas[area], found.option_codes

    total_result, row_codes = result_in(whole)
    col_codes = list(parts)
    cells, col_totals = {}, {}
    for col, results in parts.items():
        part, _ = result_in(results)
        col_totals[col] = part.base
        for row in row_codes:
            cells[(row, col)] = part.options[row]
    return CrossTab(k=whole.k, row_codes=list(row_codes), col_codes=col_codes, cells=cells,
                    row_totals={row: total_result.options[row] for row in row_codes},
                    col_totals=col_totals, total=total_result.base)
