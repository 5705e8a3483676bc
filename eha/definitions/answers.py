"""Reading saved answers against a definition: what is answered, missing, the needs and the scores.

Answers are stored per section as a JSON object keyed by field key:

- text, textarea, radios: a string
- checkboxes, needs: a list of option values / codes
- date: an ISO date string (``"2024-03-12"``)
- scale: an integer from 0 to 10
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from eha.definitions.schema import (
    SCALE_MAX,
    SCALE_MIN,
    SCALE_ROLES,
    STATUS_COMPLETED,
    STATUS_IN_PROGRESS,
    STATUS_NOT_STARTED,
    Definition,
    FieldSpec,
    Section,
)
from eha.formatting import format_date


def is_answered(spec: FieldSpec, value: Any) -> bool:
    """Whether a saved value counts as an answer to this field."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | tuple | set | dict):
        return len(value) > 0
    if isinstance(value, bool):
        return spec.type != "scale"
    return True


def section_status(section: Section, answers: Mapping[str, Any] | None) -> str:
    """``"not_started"``, ``"in_progress"`` or ``"completed"`` for the case page's task list.

    Completed when every required field is answered (and something is); in progress when anything is answered.
    """
    answers = answers or {}
    answered = {spec.key for spec in section.fields if is_answered(spec, answers.get(spec.key))}
    if not answered:
        return STATUS_NOT_STARTED
    if all(spec.key in answered for spec in section.required_fields):
        return STATUS_COMPLETED
    return STATUS_IN_PROGRESS


def _missing_in(section: Section, saved: Mapping[str, Any] | None, title: str) -> list[tuple[str, str]]:
    saved = saved or {}
    return [(title, spec.label) for spec in section.required_fields if not is_answered(spec, saved.get(spec.key))]


def missing_required(
    definition: Definition,
    all_answers: Mapping[str, Mapping[str, Any] | None] | None,
    child_answers: Mapping[tuple[str, int], Mapping[str, Any] | None] | None = None,
    children: Iterable[Any] = (),
) -> list[tuple[str, str]]:
    """``(section title, field label)`` for every required field not yet answered, in form order.

    A section asked of each child is checked for every one of ``children`` (objects with ``id`` and ``name``)
    against ``child_answers`` keyed ``(section key, child id)``; its title names the child.
    """
    all_answers = all_answers or {}
    child_answers = child_answers or {}
    children = list(children)
    missing = []
    for section in definition.sections:
        if not section.each_child:
            missing += _missing_in(section, all_answers.get(section.key), section.title)
            continue
        for child in children:
            saved = child_answers.get((section.key, child.id))
            missing += _missing_in(section, saved, section.title_for(child.name))
    return missing


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    return []


def needs_identified(definition: Definition, all_answers: Mapping[str, Mapping[str, Any] | None] | None) -> list[str]:
    """The codes picked in any ``needs`` field, in the definition's order, without repeats."""
    all_answers = all_answers or {}
    found: list[str] = []
    for section, spec in definition.iter_fields():
        if spec.type != "needs":
            continue
        picked = set(_as_list((all_answers.get(section.key) or {}).get(spec.key)))
        found.extend(code for code in spec.option_values if code in picked and code not in found)
    return found


def as_score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and SCALE_MIN <= value <= SCALE_MAX:
        return value
    return None


def scaling_scores(
    definition: Definition, all_answers: Mapping[str, Mapping[str, Any] | None] | None
) -> dict[str, int | None]:
    """``{"family": n, "practitioner": n}``: the 0-10 "where are things now?" scores (None if unanswered)."""
    all_answers = all_answers or {}
    scores: dict[str, int | None] = dict.fromkeys(SCALE_ROLES)
    for section, spec in definition.iter_fields():
        if spec.type == "scale" and spec.role:
            scores[spec.role] = as_score((all_answers.get(section.key) or {}).get(spec.key))
    return scores


SCORE_OUT_OF = "{score} out of {most}"


def answer_items(spec: FieldSpec, value: Any, language: str = "en", out_of: str = SCORE_OUT_OF) -> list[str]:
    """The human-readable parts of an answer: one string per chosen option, or a single string. A date answer
    reads in ``language`` ("5 Mawrth 2026"), a score as ``out_of`` says (translated by the caller); options read
    as ``spec`` (a localised definition's) names them."""
    if not is_answered(spec, value):
        return []
    if spec.type in ("checkboxes", "needs"):
        chosen = [str(v) for v in _as_list(value)]
        known = [o.label for o in spec.options if o.value in chosen]
        unknown = [v for v in chosen if v not in spec.option_values]
        return known + unknown
    if spec.type == "radios":
        return [spec.option_label(str(value))]
    if spec.type == "date":
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
            return [format_date(day, language=language)]
        except ValueError:
            return [str(value)]
    if spec.type == "scale":
        score = as_score(value)
        return [out_of.format(score=score, most=SCALE_MAX)] if score is not None else [str(value)]
    return [str(value)]


def answer_display(
    spec: FieldSpec, value: Any, separator: str = "; ", language: str = "en", out_of: str = SCORE_OUT_OF
) -> str:
    """A saved answer as plain text for the review screen and the PDF; ``""`` when unanswered."""
    return separator.join(answer_items(spec, value, language, out_of))
