"""Conditions: "ask this question only if …", in XLSForm's ``relevant`` syntax.

A condition is parsed by a small tokenizer and recursive-descent parser into a tree of the
dataclasses below, then evaluated by walking that tree. Nothing is ever run as Python code.

Grammar (the part of XPath that XLSForm forms use for skip logic)::

    condition  := conjunction ("or" conjunction)*
    conjunction:= unary ("and" unary)*
    unary      := "not" "(" condition ")" | "(" condition ")" | selected | comparison
    selected   := "selected" "(" ${name} "," literal ")"
    comparison := operand ("=" | "!=" | "<" | "<=" | ">" | ">=") operand
    operand    := ${name} | literal
    literal    := 'text' | "text" | 12 | -3 | 2.5

Keywords are lower-case, as in XPath. Evaluation follows ODK (see ``evaluate``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

from app.domain.answers import option_codes
from app.domain.definition import QuestionDef, SurveyDef

#: Longest condition text and deepest nesting accepted: conditions are short; this bounds work.
MAX_LENGTH = 2000
MAX_DEPTH = 40

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_NUMERIC_TEXT = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
#: Comparisons that order values; they hold only between two numbers.
ORDERING = {"<", "<=", ">", ">="}
#: Types whose answers are option codes, checked against the question's options.
_CODED_TYPES = {"single_choice", "multiple_choice", "priority", "yes_no", "scale"}


class ConditionError(ValueError):
    """A condition that cannot be parsed; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} at character {position + 1}")
        self.message = message
        self.position = position


# --- The tree ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A reference to an earlier question's answer: ``${name}``."""

    name: str


@dataclass(frozen=True)
class Literal:
    """A text or number written in the condition, kept as written (quotes removed)."""

    text: str
    is_number: bool = False


@dataclass(frozen=True)
class Comparison:
    """``left op right`` with ``op`` one of ``= != < <= > >=``."""

    op: str
    left: Ref | Literal
    right: Ref | Literal


@dataclass(frozen=True)
class Selected:
    """``selected(${name}, 'code')``: the answer to ``name`` includes ``code``."""

    name: str
    code: str


@dataclass(frozen=True)
class Not:
    """``not(condition)``."""

    operand: "Condition"


@dataclass(frozen=True)
class And:
    """All ``operands`` hold."""

    operands: tuple["Condition", ...]


@dataclass(frozen=True)
class Or:
    """At least one of ``operands`` holds."""

    operands: tuple["Condition", ...]


Condition = Union[Comparison, Selected, Not, And, Or]


# --- Tokenizer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # ref, string, number, word, op, (, ), ",", end
    value: str
    position: int


def _tokens(text: str) -> list[_Token]:
    """Split ``text`` into tokens; ConditionError at the first character that fits none."""
    tokens, i = [], 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "$":
            match = _REF.match(text, i)
            if not match:
                raise ConditionError("expected a question reference like ${name}", i)
            tokens.append(_Token("ref", match.group(1), i))
            i = match.end()
        elif char in "'\"":
            end = text.find(char, i + 1)
            if end < 0:
                raise ConditionError("text is not closed with " + char, i)
            tokens.append(_Token("string", text[i + 1:end], i))
            i = end + 1
        elif char.isdigit() or (char in "+-." and _NUMBER.match(text, i)):
            match = _NUMBER.match(text, i)
            tokens.append(_Token("number", match.group(0), i))
            i = match.end()
        elif char in "(),":
            tokens.append(_Token(char, char, i))
            i += 1
        elif text.startswith(_OPERATORS, i):
            op = next(op for op in _OPERATORS if text.startswith(op, i))
            if text.startswith("==", i):
                raise ConditionError("use = to compare, not ==", i)
            tokens.append(_Token("op", op, i))
            i += len(op)
        elif _WORD.match(text, i):
            match = _WORD.match(text, i)
            tokens.append(_Token("word", match.group(0), i))
            i = match.end()
        else:
            raise ConditionError(f"unexpected character {char!r}", i)
    tokens.append(_Token("end", "", len(text)))
    return tokens


# --- Parser --------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the token list; one method per grammar rule."""

    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def take(self, kind: str, value: str | None = None, expected: str = "") -> _Token:
        token = self.token
        if token.kind != kind or (value is not None and token.value != value):
            raise ConditionError(f"expected {expected or value or kind}, found {_describe(token)}",
                                 token.position)
        self.index += 1
        return token

    def at_word(self, word: str) -> bool:
        return self.token.kind == "word" and self.token.value == word

    def parse(self) -> Condition:
        condition = self.condition()
        if self.token.kind != "end":
            raise ConditionError(f"expected 'and', 'or' or the end, found {_describe(self.token)}",
                                 self.token.position)
        return condition

    def condition(self) -> Condition:
        operands = [self.conjunction()]
        while self.at_word("or"):
            self.index += 1
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Condition:
        operands = [self.unary()]
        while self.at_word("and"):
            self.index += 1
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def nested(self) -> Condition:
        """``( condition )``, with a bound on nesting depth."""
        opening = self.take("(", expected="(")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError("conditions are nested too deeply", opening.position)
        inner = self.condition()
        self.take(")", expected="')'")
        self.depth -= 1
        return inner

    def unary(self) -> Condition:
        token = self.token
        if token.kind == "(":
            return self.nested()
        if token.kind == "word":
            if token.value == "not":
                self.index += 1
                return Not(self.nested())
            if token.value == "selected":
                self.index += 1
                self.take("(", expected="'(' after selected")
                name = self.take("ref", expected="a question reference like ${name}").value
                self.take(",", expected="','")
                code = self.literal()
                self.take(")", expected="')'")
                return Selected(name, code.text)
            raise ConditionError(f"{token.value!r} is not supported (use selected, not, and, or)",
                                 token.position)
        left = self.operand()
        if self.token.kind != "op":
            raise ConditionError("expected a comparison (=, !=, <, <=, >, >=), "
                                 f"found {_describe(self.token)}", self.token.position)
        op = self.take("op").value
        return Comparison(op, left, self.operand())

    def operand(self) -> Ref | Literal:
        if self.token.kind == "ref":
            return Ref(self.take("ref").value)
        return self.literal()

    def literal(self) -> Literal:
        token = self.token
        if token.kind == "string":
            self.index += 1
            return Literal(token.value)
        if token.kind == "number":
            self.index += 1
            return Literal(token.value, is_number=True)
        raise ConditionError(f"expected ${{name}}, a text or a number, found {_describe(token)}",
                             token.position)


def _describe(token: _Token) -> str:
    """A token as an error message names it."""
    if token.kind == "end":
        return "the end"
    if token.kind == "ref":
        return "${" + token.value + "}"
    return repr(token.value)


def parse(text: str) -> Condition:
    """Parse a ``relevant`` condition into its tree.

    Raises ``ConditionError`` (with ``position``) on any syntax this grammar does not know:
    an unknown function such as ``count-selected``, an unclosed text, a stray character …
    """
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"a condition may be at most {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ConditionError("the condition is empty", 0)
    return _Parser(text).parse()


# --- Reading the tree ----------------------------------------------------------------------


def _walk(condition: Condition):
    """Every node of the tree, the root first."""
    yield condition
    if isinstance(condition, Not):
        yield from _walk(condition.operand)
    elif isinstance(condition, (And, Or)):
        for operand in condition.operands:
            yield from _walk(operand)


def referenced(condition: Condition) -> set[str]:
    """The names of the questions ``condition`` depends on."""
    names = set()
    for node in _walk(condition):
        if isinstance(node, Selected):
            names.add(node.name)
        elif isinstance(node, Comparison):
            names.update(side.name for side in (node.left, node.right) if isinstance(side, Ref))
    return names


# --- Evaluation ----------------------------------------------------------------------------


def _given(answers: dict[str, list[str]], name: str) -> list[str]:
    """The non-blank raw values given for ``name``."""
    return [value.strip() for value in answers.get(name) or [] if value and value.strip()]


def _value(operand: Ref | Literal, answers: dict[str, list[str]]) -> str:
    """An operand's text; several values are joined by spaces (ODK's select_multiple value)."""
    if isinstance(operand, Literal):
        return operand.text
    return " ".join(_given(answers, operand.name))


def _number(text: str) -> Decimal | None:
    """``text`` as a number if it is written as one (no NaN, no infinity), else None."""
    text = text.strip()
    return Decimal(text) if _NUMERIC_TEXT.match(text) else None


def _compare(node: Comparison, answers: dict[str, list[str]]) -> bool:
    left, right = _value(node.left, answers), _value(node.right, answers)
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[node.op]
    if node.op == "=":
        return left == right
    if node.op == "!=":
        return left != right
    return False  # ordering needs two numbers; an empty or non-numeric side never qualifies


def evaluate(condition: Condition, answers: dict[str, list[str]]) -> bool:
    """Whether ``condition`` holds for ``answers`` (question name → raw values given).

    Semantics follow ODK, where an unanswered question has the value ``''``:

    - ``=`` / ``!=`` compare numerically when both sides are written as numbers
      (``'10' = 10.0``), else as text. So ``${x} = 'a'`` is false and ``${x} != 'a'`` is
      **true** when ``x`` is unanswered; ``${x} = ''`` tests for "unanswered".
    - ``<``, ``<=``, ``>``, ``>=`` hold only between two numbers: false when a side is
      unanswered or not a number.
    - A question with several values (multiple choice) compares as its values joined by
      spaces, as in ODK; use ``selected(${x}, 'code')`` to test for one option.
    """
    if isinstance(condition, Comparison):
        return _compare(condition, answers)
    if isinstance(condition, Selected):
        return condition.code in " ".join(_given(answers, condition.name)).split()
    if isinstance(condition, Not):
        return not evaluate(condition.operand, answers)
    if isinstance(condition, And):
        return all(evaluate(operand, answers) for operand in condition.operands)
    if isinstance(condition, Or):
        return any(evaluate(operand, answers) for operand in condition.operands)
    raise TypeError(f"not a condition: {condition!r}")


# --- Checking a survey ---------------------------------------------------------------------


def _code_problem(question: QuestionDef, literal: Literal) -> str | None:
    """Why ``literal`` is not an option code of ``question``, or None if it is (or may be)."""
    if question.type not in _CODED_TYPES or literal.text == "":
        return None
    codes = option_codes(question)
    if question.type == "scale" and _number(literal.text) is not None:
        if any(_number(code) == _number(literal.text) for code in codes):
            return None
    elif literal.text in codes:
        return None
    return f"relevant: {literal.text!r} is not a choice of {question.code!r} ({', '.join(codes)})"


def problems_of(defn: SurveyDef, question: QuestionDef) -> list[str]:
    """What is wrong with the ``relevant`` condition of ``question`` (a question of ``defn``).

    Messages carry no question prefix; ``check`` adds it.
    """
    if not question.relevant.strip():
        return []
    try:
        condition = parse(question.relevant)
    except ConditionError as error:
        return [f"relevant: {error}"]
    position = {q.code: number for number, q in enumerate(defn.questions, start=1)}
    own = position.get(question.code, len(defn.questions) + 1)
    problems = []
    for name in sorted(referenced(condition)):
        if name == question.code:
            problems.append("relevant: a question cannot depend on itself")
        elif name not in position:
            problems.append(f"relevant: unknown question {name!r}")
        elif position[name] > own:
            problems.append(f"relevant: {name!r} comes later (question {position[name]}); "
                            "a condition may only depend on earlier questions")
    known = {q.code: q for q in defn.questions}
    for node in _walk(condition):
        if isinstance(node, Selected) and node.name in known:
            target = known[node.name]
            if target.type in ("number", "short_text", "long_text"):
                problems.append("relevant: selected() needs a choice question; "
                                f"{node.name!r} is {target.type}")
            elif (problem := _code_problem(target, Literal(node.code))):
                problems.append(problem)
        elif isinstance(node, Comparison):
            for ref, other in ((node.left, node.right), (node.right, node.left)):
                if not (isinstance(ref, Ref) and isinstance(other, Literal) and ref.name in known):
                    continue
                target = known[ref.name]
                if node.op in ORDERING:
                    if target.type in ("single_choice", "multiple_choice", "priority", "yes_no"):
                        problems.append(f"relevant: {node.op} compares numbers, but {ref.name!r} "
                                        f"is {target.type}; use = or !=")
                elif (problem := _code_problem(target, other)):
                    problems.append(problem)
    return problems


def check(defn: SurveyDef) -> list[str]:
    """Every problem with the conditions of ``defn``, as ``question N (name): …``.

    Finds conditions that do not parse, references to unknown questions, to the question
    itself or to later questions (a condition may only depend on earlier ones), option codes
    that the referenced question does not offer (``yes``/``no`` for yes_no, the points for a
    scale; quarter questions are not checked: their options come from the consultation).
    """
    problems = []
    for number, question in enumerate(defn.questions, start=1):
        problems += [f"question {number} ({question.code}): {problem}"
                     for problem in problems_of(defn, question)]
    return problems
