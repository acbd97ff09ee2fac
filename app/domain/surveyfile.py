"""The survey file format: one YAML file holds a whole survey with all its translations.

See ``surveys/README.md`` for the format. ``load`` and ``dump`` round-trip: ``load(dump(d)) == d``.
YAML is read with the safe loader only; nothing in a file is ever run as code.
"""
from __future__ import annotations

from typing import Any

import yaml

from app.domain.definition import (
    ICONS_SETTING,
    OTHER_SETTING,
    DefinitionError,
    OptionDef,
    QuestionDef,
    SurveyDef,
    check,
)

FORMAT = "quartiersstimme-survey/1"
#: Settings a question may carry next to its texts, and the type each must have.
_NUMBER_SETTINGS = ("min", "max", "max_picks")
_TEXT_SETTINGS = ("min_label", "max_label")


def _texts(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    """A translated text: a mapping of language code to a string."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in value.items()):
        problems.append(f"{where}: expected one text per language, e.g. {{de: …, en: …}}")
        return {}
    return {k: v.strip() for k, v in value.items()}


def from_data(data: Any) -> SurveyDef:
    """Build a ``SurveyDef`` from parsed YAML; raise ``DefinitionError`` listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise DefinitionError(["the file must hold a mapping with code, languages and questions"])
    if data.get("format", FORMAT) != FORMAT:
        problems.append(f"format: expected {FORMAT}")
    languages = data.get("languages") or []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        problems.append("languages: expected a list of language codes")
        languages = []
    questions = []
    raw_questions = data.get("questions") or []
    if not isinstance(raw_questions, list):
        problems.append("questions: expected a list")
        raw_questions = []
    for number, raw in enumerate(raw_questions, start=1):
        where = f"question {number}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        options, others, icons = [], [], {}
        for choice_number, choice in enumerate(raw.get("choices") or [], start=1):
            if not isinstance(choice, dict):
                problems.append(f"{where}, choice {choice_number}: expected a mapping")
                continue
            options.append(OptionDef(code=str(choice.get("name", "")),
                                     label=_texts(choice.get("label"), f"{where}, choice {choice_number}", problems)))
            flag = choice.get("other", False)
            if not isinstance(flag, bool):
                problems.append(f"{where}, choice {choice_number}: other must be true or false")
            elif flag:
                others.append(options[-1].code)
            if choice.get("icon"):
                icons[options[-1].code] = str(choice["icon"])
        settings: dict[str, Any] = {ICONS_SETTING: icons} if icons else {}
        if len(others) > 1:
            problems.append(f"{where}: only one choice can be the 'other' choice with a text field "
                            f"(marked other: true), not {len(others)} ({', '.join(others)})")
        elif others:
            settings[OTHER_SETTING] = others[0]
        for key in _NUMBER_SETTINGS:
            if key in raw:
                if isinstance(raw[key], bool) or not isinstance(raw[key], int):
                    problems.append(f"{where}: {key} must be a whole number")
                else:
                    settings[key] = raw[key]
        for key in _TEXT_SETTINGS:
            if key in raw:
                settings[key] = _texts(raw[key], f"{where}: {key}", problems)
        tags = raw.get("tags") or {}
        if not isinstance(tags, dict):
            problems.append(f"{where}: tags must be a mapping")
            tags = {}
        questions.append(QuestionDef(
            code=str(raw.get("name", "")), type=str(raw.get("type", "")),
            label=_texts(raw.get("label"), f"{where}: label", problems),
            hint=_texts(raw.get("hint"), f"{where}: hint", problems),
            required=bool(raw.get("required", False)), options=options,
            settings=settings, tags=tags, relevant=str(raw.get("relevant") or "").strip(),
        ))
    consultation = data.get("consultation") or {}
    if consultation and not isinstance(consultation, dict):
        problems.append("consultation: expected a mapping")
        consultation = {}
    consultation = {key: (_texts(value, f"consultation: {key}", problems) if key != "code" else str(value))
                    for key, value in consultation.items()}
    defn = SurveyDef(
        code=str(data.get("code", "")),
        default_language=str(data.get("default_language", "")),
        languages=list(languages),
        title=_texts(data.get("title"), "title", problems),
        intro=_texts(data.get("intro"), "intro", problems),
        thanks=_texts(data.get("thanks"), "thanks", problems),
        questions=questions, consultation=consultation,
        one_question_per_page=data.get("one_question_per_page"),
    )
    if defn.one_question_per_page not in (None, True, False):
        problems.append("one_question_per_page: expected true or false (or leave it out: long surveys get it)")
    problems += check(defn)
    if problems:
        raise DefinitionError(problems)
    return defn


#: libyaml's safe loader (about ten times faster) where PyYAML was built with it, else PyYAML's own.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> SurveyDef:
    """Parse a survey file's text."""
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DefinitionError([f"{where}not valid YAML ({getattr(error, 'problem', error)})"]) from None
    return from_data(data)


def to_data(defn: SurveyDef) -> dict:
    """The plain data of a survey file, keys in reading order, empty parts left out."""
    data: dict[str, Any] = {"format": FORMAT, "code": defn.code,
                            "default_language": defn.default_language, "languages": defn.languages}
    if defn.one_question_per_page is not None:
        data["one_question_per_page"] = defn.one_question_per_page
    if defn.consultation:
        data["consultation"] = defn.consultation
    for key in ("title", "intro", "thanks"):
        if getattr(defn, key):
            data[key] = getattr(defn, key)
    data["questions"] = []
    for question in defn.questions:
        item: dict[str, Any] = {"name": question.code, "type": question.type}
        if question.required:
            item["required"] = True
        item["label"] = question.label
        if question.hint:
            item["hint"] = question.hint
        item.update({key: value for key, value in question.settings.items()
                     if key not in (OTHER_SETTING, ICONS_SETTING)})
        if question.tags:
            item["tags"] = question.tags
        if question.relevant:
            item["relevant"] = question.relevant
        if question.options:
            icons = question.settings.get(ICONS_SETTING, {})
            item["choices"] = [{"name": o.code, "label": o.label,
                                **({"other": True} if question.is_other(o.code) else {}),
                                **({"icon": icons[o.code]} if o.code in icons else {})}
                               for o in question.options]
        data["questions"].append(item)
    return data


class _Dumper(yaml.SafeDumper):
    """Block style, long lines kept whole, non-ASCII text written as itself."""


def _str_representer(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump(defn: SurveyDef) -> str:
    """The survey as the text of a survey file."""
    return yaml.dump(to_data(defn), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=100, default_flow_style=False)
