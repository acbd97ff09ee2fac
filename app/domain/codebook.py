"""The codebook every export carries: each question's code, type, texts in every language, its
options with their labels, its tags and condition, and the columns it becomes in the response
table; plus the suppression rule."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.answers import option_codes
from app.domain.definition import ELSEWHERE, NO, PREFER_NOT, YES, SurveyDef

#: Missing-value codes of the response table, the same in every format.
MISSING_CODES = {
    "": "not answered, or the question did not apply",
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
            f"and respondent answers shared by fewer than {k} responses.")


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


__all__ = ["ELSEWHERE", "MISSING_CODES", "OptionEntry", "PREFER_NOT", "VariableEntry", "build", "suppression_rule"]
