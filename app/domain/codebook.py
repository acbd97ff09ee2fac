"""The codebook every export carries: each question's code, type, texts in every language, its
options with their labels, its tags and condition, and the columns it becomes in the response
table; plus the suppression rule and the missing-value codes of the response table."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.answers import option_codes
from app.domain.definition import ELSEWHERE, NO, PREFER_NOT, YES, QuestionDef, SurveyDef

#: Written where a question was shown but not answered (skipped): the number -1 (the text "-1" in
#: an SPSS string variable). It is never defused, while a resident's own text "-1" is (it reads
#: "'-1"), so the two never mix in a text column.
SKIPPED = -1
#: Meaning of the empty cell (``None`` in the rows; ``null`` in JSON, system-missing in SPSS).
NOT_SHOWN_MEANING = ("the question was not shown to this response (its condition did not hold, or it is not "
                     "in the survey version answered); in a quasi-identifier column also: blanked for "
                     "k-anonymity, and in a text column: withheld because planners hid the answer (e.g. it "
                     "named a person); such columns are named in suppressed_fields")
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
    #: Columns in the response table: one per option for multiple choice, else the code itself;
    #: see ``question_columns``.
    columns: list[str] = field(default_factory=list)
    #: Columns that are not the answer itself: ``{column: "flag" | "text"}`` — a planners'
    #: category of a text answer (0/1), the text beside an "other" option.
    extra_columns: dict[str, str] = field(default_factory=dict)


#: Question types whose answers are free text (planners code them into categories).
TEXT_TYPES = ("short_text", "long_text")


def other_text_column(question: QuestionDef) -> str | None:
    """The column of the text beside the question's "other" option, or None."""
    return f"{question.code}__{question.other_code}_text" if question.other_code else None


def question_columns(question: QuestionDef, categories: list[str] = ()) -> tuple[list[str], dict[str, str]]:
    """The response-table columns of ``question`` in order, and which of them are extra
    (``{column: "flag" | "text"}``): one 0/1 column per option of a multiple-choice or priority
    question, else the code itself; the text of an "other" option right after its choice; a
    0/1 column per planners' category right after a text answer. A ``quarter`` question has
    none (the response's own quarter columns hold it)."""
    code = question.code
    if question.type == "quarter":
        return [], {}
    extra: dict[str, str] = {}
    if question.type in ("multiple_choice", "priority"):
        columns = []
        for option in question.options:
            columns.append(f"{code}__{option.code}")
            if question.is_other(option.code):
                columns.append(other_text_column(question))
                extra[other_text_column(question)] = "text"
        return columns, extra
    columns = [code]
    if other_text_column(question):
        columns.append(other_text_column(question))
        extra[other_text_column(question)] = "text"
    if question.type in TEXT_TYPES:
        for category in categories:
            columns.append(f"{code}__{category}")
            extra[f"{code}__{category}"] = "flag"
    return columns, extra


def suppression_rule(k: int, perturbation: dict | None = None) -> str:
    """The rule that protects the published figures, stated the same way in every export:
    the cell key method with its parameters (``Results.perturbation``), then what is left out."""
    method = ""
    if perturbation:
        method = (f"Every count is perturbed by the {perturbation['method']}: a deviation of at most "
                  f"{perturbation['max_deviation']} (variance {perturbation['variance']}, mean 0) is added, "
                  f"looked up by the sum of the random record keys of the responses counted (modulo "
                  f"{perturbation['key_range']}) together with those of the area; no published count lies "
                  f"between 1 and {perturbation['threshold'] - 1}. The same cell has the same value wherever it "
                  f"appears, totals can differ slightly from the sum of their parts, shares are of the "
                  f"published base, means come from perturbed sums, medians are given from "
                  f"{perturbation['median_minimum']} answers. ")
    return (method
            + f"Published counts below {k} (zero included) and every figure of a question in an area whose "
            f"published number of answers is below {k} are suppressed: count and share are empty and "
            f"'suppressed' is true. Response-level rows keep no combination of quarter, language, channel "
            f"and respondent answers shared by fewer than {k} responses. Missing values in the response table: "
            f"an empty cell means the question was not shown (or, in a quasi-identifier column, was blanked "
            f"for k-anonymity, or in a text column was hidden by planners, and is named in suppressed_fields); "
            f"{SKIPPED} means it was shown but not answered.")


def describe_missing() -> str:
    """The missing-value codes of the response table in one line, the same in every format."""
    return "; ".join(f"{'an empty cell' if code == '' else code}: {meaning}" for code, meaning in MISSING_CODES.items())


def build(defn: SurveyDef, quarter_names: dict[str, str], fixed_labels: dict[str, dict[str, str]],
          categories: list[OptionEntry] = ()) -> list[VariableEntry]:
    """The codebook of ``defn``. ``quarter_names`` name the quarter codes; ``fixed_labels`` give
    the interface's labels (per language) of the option codes the product adds (yes, no, …);
    ``categories`` are the planners' categories of text answers, the options of text questions."""
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
        elif question.type in TEXT_TYPES:
            options = list(categories)
        else:
            options = [OptionEntry(o.code, dict(o.label)) for o in question.options]
        columns, extra = question_columns(question, [c.code for c in categories])
        entries.append(VariableEntry(question.code, question.type, dict(question.label), dict(question.hint),
                                     options, dict(question.tags), question.relevant, columns, extra))
    return entries


__all__ = ["ELSEWHERE", "MISSING_CODES", "TEXT_TYPES", "other_text_column", "question_columns", "NOT_SHOWN_MEANING", "OptionEntry", "PREFER_NOT", "SKIPPED",
           "SKIPPED_MEANING", "VariableEntry", "build", "describe_missing", "suppression_rule"]
