"""The codebook every export carries: each question's code, type, texts in every language, its
options with their labels, its tags and condition, and the columns it becomes in the response
table; plus the suppression rule and the missing-value codes of the response table."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.answers import option_codes
from app.domain.definition import ELSEWHERE, NO, PREFER_NOT, YES, SurveyDef

#: Written where a question was shown but not answered (skipped): the number -1 (the text "-1" in
#: an SPSS string variable). It is never defused, while a resident's own text "-1" is (it reads
#: "'-1"), so the two never mix in a text column.
SKIPPED = -1
#: Meaning of the empty cell (``None`` in the rows; ``null`` in JSON, system-missing in SPSS).
NOT_SHOWN_MEANING = ("the question was not shown to this response (its condition did not hold, or it is not "
                     "in the survey version answered); in a quasi-identifier column also: blanked for "
                     "k-anonymity (the column is named in suppressed_fields)")
SKIPPED_MEANING = "shown but not answered (skipped)"
#: Missing-value codes of the response table as they are written, the same in every format. A
#: multiple-choice or priority question has both on all its option columns alike: empty when it
#: was not shown, -1 when it was shown and nothing was picked, else 0/1.
MISSING_CODES = {
    "": NOT_SHOWN_MEANING,
    str(SKIPPED): SKIPPED_MEANING,
}


@dataclass
class OptionEntry:
    """An answer option: its code and its label in every language."""

    code: str
    labels: dict[str, str]


@dataclass
class VariableEntry:
    """A question as it appears in exports."""

    code: str
    type: str
    labels: dict[str, str]
    hints: dict[str, str]
    options: list[OptionEntry]
    tags: dict
    relevant: str
    #: Columns in the response table: one per option for multiple choice, else the code itself.
    columns: list[str] = field(default_factory=list)


def suppression_rule(k: int) -> str:
    """The suppression rule, stated the same way in every export."""
    return (f"Counts from 1 to {k - 1}, every figure of a group smaller than {k}, and every figure from "
            f"which such a count could be worked out, are suppressed: count and share are empty and "
            f"'suppressed' is true. Response-level rows keep no combination of quarter, language, channel "
            f"and respondent answers shared by fewer than {k} responses. Missing values in the response table: "
            f"an empty cell means the question was not shown (or, in a quasi-identifier column, was blanked "
            f"for k-anonymity and is named in suppressed_fields); {SKIPPED} means it was shown but not answered.")


def describe_missing() -> str:
    """The missing-value codes of the response table in one line, the same in every format."""
    return "; ".join(f"{'an empty cell' if code == '' else code}: {meaning}" for code, meaning in MISSING_CODES.items())


def build(defn: SurveyDef, quarter_names: dict[str, str], fixed_labels: dict[str, dict[str, str]]) -> list[VariableEntry]:
    """The codebook of ``defn``. ``quarter_names`` name the quarter codes; ``fixed_labels`` give
    the interface's labels (per language) of the option codes the product adds (yes, no, …)."""
    entries = []
    for question in defn.questions:
        if question.type == "quarter":
            codes = option_codes(question, sorted(quarter_names))
            options = [OptionEntry(c, fixed_labels.get(c) or {defn.default_language: quarter_names.get(c, c)})
                       for c in codes]
        elif question.type == "yes_no":
            options = [OptionEntry(c, fixed_labels.get(c, {})) for c in (YES, NO)]
        elif question.type == "scale":
            options = []
            points = question.scale_points()
            for point in points:
                labels = {lang: str(point) for lang in defn.languages}
                for end, key in ((points[0], "min_label"), (points[-1], "max_label")):
                    if point == end:
                        for lang, text in (question.settings.get(key) or {}).items():
                            labels[lang] = f"{point} – {text}"
                options.append(OptionEntry(str(point), labels))
        else:
            options = [OptionEntry(o.code, dict(o.label)) for o in question.options]
        if question.type in ("multiple_choice", "priority"):
            columns = [f"{question.code}__{o.code}" for o in question.options]
        elif question.type == "quarter":
            columns = []  # the response's own quarter columns hold it
        else:
            columns = [question.code]
        entries.append(VariableEntry(question.code, question.type, dict(question.label), dict(question.hint),
                                     options, dict(question.tags), question.relevant, columns))
    return entries


__all__ = ["ELSEWHERE", "MISSING_CODES", "NOT_SHOWN_MEANING", "OptionEntry", "PREFER_NOT", "SKIPPED",
           "SKIPPED_MEANING", "VariableEntry", "build", "describe_missing", "suppression_rule"]
