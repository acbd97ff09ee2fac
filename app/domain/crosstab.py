"""Cross-tabulation of one question by a respondent question, with small counts suppressed.

The inputs are plain counts over the responses that answered both questions (what a SQL
``GROUP BY row_option, column_option`` returns); the output holds every cell and total with a
flag whether it may be shown. Nothing here knows the database.

Primary suppression hides every count from 1 to k − 1, every figure of a table whose total is
below k, and every cell (zeros included) of a row or column whose total is from 1 to k − 1:
"none of the three aged 80+ chose X" tells something about those three. Complementary suppression
(``app.domain.suppression.suppress``) then covers every additive constraint that holds:

* rows from a question with one answer per response (``exclusive_rows``): each column total is
  the sum of its column, and the grand total the sum of the row totals;
* columns likewise (``exclusive_cols``): each row total is the sum of its row, and the grand
  total the sum of the column totals.

A multiple-choice variable adds no constraint along its axis: a response counts in several of
its options, so its cells do not add up to a total.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.aggregation import Figure
from app.domain.suppression import suppress

Code = Hashable
TOTAL = ("total",)


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


def crosstab_constraints(row_codes: Sequence[Code], col_codes: Sequence[Code],
                         exclusive_rows: bool, exclusive_cols: bool) -> list[tuple]:
    """The additive constraints ``(total, [parts])`` that hold between the table's figures.

    Keys are ``("cell", row, col)``, ``("row", row)``, ``("col", col)`` and ``TOTAL``.
    """
    constraints: list[tuple] = []
    if exclusive_rows:
        for col in col_codes:
            constraints.append((("col", col), [("cell", row, col) for row in row_codes]))
        constraints.append((TOTAL, [("row", row) for row in row_codes]))
    if exclusive_cols:
        for row in row_codes:
            constraints.append((("row", row), [("cell", row, col) for col in col_codes]))
        constraints.append((TOTAL, [("col", col) for col in col_codes]))
    return constraints


def crosstab(row_codes: Sequence[Code], col_codes: Sequence[Code],
             cells: Mapping[tuple, int], row_totals: Mapping[Code, int],
             col_totals: Mapping[Code, int], total: int, k: int,
             exclusive_rows: bool, exclusive_cols: bool) -> CrossTab:
    """The cross table of ``cells`` (``(row, col)`` → count; missing cells count as zero) with
    primary and complementary suppression applied (see the module's docstring)."""
    row_codes, col_codes = list(row_codes), list(col_codes)
    values: dict[tuple, int] = {TOTAL: total}
    for row in row_codes:
        values[("row", row)] = row_totals.get(row, 0)
        for col in col_codes:
            values[("cell", row, col)] = cells.get((row, col), 0)
    for col in col_codes:
        values[("col", col)] = col_totals.get(col, 0)

    if total < k:
        always_hidden = set(values)
    else:
        small_rows = {row for row in row_codes if 0 < values[("row", row)] < k}
        small_cols = {col for col in col_codes if 0 < values[("col", col)] < k}
        always_hidden = {("cell", row, col) for row in row_codes for col in col_codes
                         if row in small_rows or col in small_cols}
    constraints = crosstab_constraints(row_codes, col_codes, exclusive_rows, exclusive_cols)
    hidden = suppress(values, k, constraints, always_hidden)

    def figure(key: tuple) -> Figure:
        return Figure(count=values[key], hidden=key in hidden)

    col_figures = {col: figure(("col", col)) for col in col_codes}
    cell_figures = {}
    for row in row_codes:
        for col in col_codes:
            fig = figure(("cell", row, col))
            base = col_figures[col]
            if not fig.hidden and not base.hidden and base.count:
                fig.share = fig.count / base.count
            cell_figures[(row, col)] = fig
    return CrossTab(k=k, row_codes=row_codes, col_codes=col_codes, cells=cell_figures,
                    row_totals={row: figure(("row", row)) for row in row_codes},
                    col_totals=col_figures, total=figure(TOTAL))
