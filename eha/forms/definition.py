"""Assessment form definitions: loading, checking and reading them.

A definition is data (YAML or JSON under ``eha/forms/definitions/``) listing the sections of an assessment,
their fields, help text and which fields are required to complete it. ``load_definition`` checks a definition
against a JSON Schema and then against the rules a schema cannot express, and returns immutable dataclasses.
The helpers at the bottom read saved answers against a definition; the workflow, the case page, the review
screen and the PDF use them so that no other code needs to know how answers are shaped.

Answers are stored per section as a JSON object keyed by field key:

- text, textarea, radios: a string
- checkboxes, needs: a list of option values / codes
- date: an ISO date string (``"2024-03-12"``)
- scale: an integer from 0 to 10
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from flask_wtf import FlaskForm

FIELD_TYPES = ("text", "textarea", "radios", "checkboxes", "date", "scale", "needs")
SCALE_ROLES = ("family", "practitioner")
SCALE_MIN, SCALE_MAX = 0, 10

DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 5000}
MAX_LENGTH_CAP = 20000

STATUS_NOT_STARTED = "not_started"
STATUS_IN_PROGRESS = "in_progress"
STATUS_COMPLETED = "completed"

DEFINITIONS_DIR = Path(__file__).parent / "definitions"

# A definition is small; anything bigger is a mistake or an attack on the parser.
MAX_DEFINITION_BYTES = 1_000_000

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
# Field keys become attribute names on a WTForms class; a key such as "data" or "errors" would shadow the
# form's own attributes.
RESERVED_FIELD_KEYS = frozenset(name for name in dir(FlaskForm) if not name.startswith("_")) | {
    "csrf-token",
    "submit",
}

_OPTION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "label"],
    "properties": {
        "value": {"type": "string", "minLength": 1, "maxLength": 100},
        "label": {"type": "string", "minLength": 1, "maxLength": 500},
        "hint": {"type": "string", "maxLength": 1000},
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "eha assessment form definition",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "version", "title", "sections"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "version": {"type": "integer", "minimum": 1},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 5000},
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "title", "fields"],
                "properties": {
                    "key": {"type": "string", "minLength": 1, "maxLength": 60},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string", "maxLength": 5000},
                    "fields": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["key", "type", "label", "required"],
                            "properties": {
                                "key": {"type": "string", "minLength": 1, "maxLength": 60},
                                "type": {"enum": list(FIELD_TYPES)},
                                "label": {"type": "string", "minLength": 1, "maxLength": 500},
                                "hint": {"type": "string", "maxLength": 2000},
                                "error_name": {"type": "string", "minLength": 1, "maxLength": 200},
                                "required": {"type": "boolean"},
                                "max_length": {"type": "integer", "minimum": 1, "maximum": MAX_LENGTH_CAP},
                                "options": {"type": "array", "minItems": 1, "items": _OPTION_SCHEMA},
                                "codes": {"type": "array", "minItems": 1, "items": _OPTION_SCHEMA},
                                "past": {"type": "boolean"},
                                "role": {"enum": list(SCALE_ROLES)},
                            },
                        },
                    },
                },
            },
        },
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class DefinitionError(ValueError):
    """A form definition is malformed; the message says what and where."""


@dataclass(frozen=True)
class Option:
    """One choice of a radios, checkboxes or needs field."""

    value: str
    label: str
    hint: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """One question in a section."""

    key: str
    type: str
    label: str
    required: bool = False
    hint: str | None = None
    error_name: str | None = None
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    past: bool = False
    role: str | None = None

    @property
    def choices(self) -> tuple[Option, ...]:
        """The options of a radios/checkboxes field or the codes of a needs field."""
        return self.options

    @property
    def is_multiple(self) -> bool:
        return self.type in ("checkboxes", "needs")

    @property
    def name_in_errors(self) -> str:
        """How error messages name this field: "Enter <name>", "<Name> must be ..."."""
        if self.error_name:
            return self.error_name
        label = self.label.rstrip("?").strip()
        # Keep acronyms ("NHS number") as they are; lower the first letter of ordinary words.
        if len(label) > 1 and label[1].isupper():
            return label
        return label[:1].lower() + label[1:]

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)


@dataclass(frozen=True)
class Section:
    """A page of the assessment and a row of the case page's task list."""

    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    description: str | None = None
    definition_name: str = ""
    definition_version: int = 0

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def field_keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.fields)

    @property
    def required_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields if spec.required)


@dataclass(frozen=True)
class Definition:
    """A versioned assessment form definition."""

    name: str
    version: int
    title: str
    sections: tuple[Section, ...]
    description: str | None = None
    _digest: str = field(default="", compare=False, repr=False)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def has_section(self, key: str) -> bool:
        return any(section.key == key for section in self.sections)

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(section.key for section in self.sections)

    def field(self, section_key: str, field_key: str) -> FieldSpec:
        return self.section(section_key).field(field_key)

    def iter_fields(self) -> Iterable[tuple[Section, FieldSpec]]:
        for section in self.sections:
            for spec in section.fields:
                yield section, spec

    def to_dict(self) -> dict[str, Any]:
        """The canonical mapping: what ``load_definition`` accepts, with defaults filled in."""
        out: dict[str, Any] = {"name": self.name, "version": self.version, "title": self.title}
        if self.description:
            out["description"] = self.description
        out["sections"] = [_section_to_dict(section) for section in self.sections]
        return out

    def to_text(self, fmt: str = "yaml") -> str:
        """Canonical YAML (default) or JSON text; ``load_definition(d.to_text()) == d``."""
        if fmt == "json":
            return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
        if fmt == "yaml":
            return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=110)
        raise ValueError(f"unknown format {fmt!r}")

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON, to tell two definitions with the same name and version apart."""
        return self._digest


def _option_to_dict(option: Option) -> dict[str, Any]:
    out = {"value": option.value, "label": option.label}
    if option.hint:
        out["hint"] = option.hint
    return out


def _field_to_dict(spec: FieldSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"key": spec.key, "type": spec.type, "label": spec.label}
    if spec.hint:
        out["hint"] = spec.hint
    if spec.error_name:
        out["error_name"] = spec.error_name
    out["required"] = spec.required
    if spec.max_length is not None:
        out["max_length"] = spec.max_length
    if spec.type == "needs":
        out["codes"] = [_option_to_dict(o) for o in spec.options]
    elif spec.options:
        out["options"] = [_option_to_dict(o) for o in spec.options]
    if spec.past:
        out["past"] = True
    if spec.role:
        out["role"] = spec.role
    return out


def _section_to_dict(section: Section) -> dict[str, Any]:
    out: dict[str, Any] = {"key": section.key, "title": section.title}
    if section.description:
        out["description"] = section.description
    out["fields"] = [_field_to_dict(spec) for spec in section.fields]
    return out


# --- loading ---


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (a "billion laughs" document expands exponentially)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise DefinitionError(f"line {event.start_mark.line + 1}: YAML aliases are not allowed")
        return super().compose_node(parent, index)


def _parse(text: str | bytes) -> Any:
    if isinstance(text, bytes):
        if len(text) > MAX_DEFINITION_BYTES:
            raise DefinitionError("the definition is too large")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DefinitionError("the definition is not UTF-8 text") from exc
    if len(text) > MAX_DEFINITION_BYTES:
        raise DefinitionError("the definition is too large")
    if "\x00" in text:
        raise DefinitionError("the definition contains a NUL character")
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except DefinitionError:
        raise
    except RecursionError as exc:
        raise DefinitionError("the definition is nested too deeply") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError(f"{where}not valid YAML or JSON ({problem})") from exc


def _location(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "definition"


def _schema_message(error: jsonschema.ValidationError) -> str:
    path = list(error.absolute_path)
    validator = error.validator
    if validator == "required":
        missing = re.match(r"'([^']*)'", error.message)
        name = missing.group(1) if missing else error.message
        return f"{_location(path)}: '{name}' is required"
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        names = ", ".join(f"'{k}'" for k in extra)
        return f"{_location(path)}: unknown key {names}"
    prop = path[-1] if path and isinstance(path[-1], str) else None
    where = _location(path[:-1] if prop else path)
    subject = f"'{prop}'" if prop else "this"
    if validator == "enum":
        return f"{where}: {subject} must be one of {', '.join(map(str, error.validator_value))}"
    if validator == "type":
        kind = {
            "integer": "a whole number",
            "boolean": "true or false",
            "array": "a list",
            "object": "a mapping",
            "string": "text",
        }.get(error.validator_value, error.validator_value)
        return f"{where}: {subject} must be {kind}"
    if validator == "minLength":
        return f"{where}: {subject} must not be empty"
    if validator == "maxLength":
        return f"{where}: {subject} must be {error.validator_value} characters or fewer"
    if validator == "minItems":
        return f"{where}: {subject} must have at least {error.validator_value} item(s)"
    if validator == "minimum":
        return f"{where}: {subject} must be {error.validator_value} or more"
    if validator == "maximum":
        return f"{where}: {subject} must be {error.validator_value} or less"
    return f"{where}: {error.message}"


def _path_key(error: jsonschema.ValidationError) -> list[tuple[int, int, str]]:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]


def _check_schema(data: Any) -> None:
    errors = sorted(_VALIDATOR.iter_errors(data), key=_path_key)
    if not errors:
        return
    # Report the first place in document order, as an editor reading top to bottom would meet it.
    place = list(errors[0].absolute_path)
    here = [e for e in errors if list(e.absolute_path)[: len(place)] == place]
    raise DefinitionError(_schema_message(jsonschema.exceptions.best_match(here)))


def _check_slug(value: str, where: str, what: str) -> None:
    if not SLUG_RE.match(value):
        raise DefinitionError(
            f"{where}: {what} {value!r} must be a lowercase slug (letters, digits and single hyphens, "
            "starting with a letter)"
        )


def _build_options(raw: list[dict[str, Any]], where: str) -> tuple[Option, ...]:
    seen: set[str] = set()
    options = []
    for index, item in enumerate(raw):
        value = item["value"]
        if value != value.strip() or not value.isprintable():
            raise DefinitionError(f"{where}[{index}]: value {value!r} must not have spaces around it")
        if value in seen:
            raise DefinitionError(f"{where}[{index}]: value {value!r} is used twice")
        seen.add(value)
        options.append(Option(value=value, label=item["label"], hint=item.get("hint")))
    return tuple(options)


def _build_field(raw: dict[str, Any], where: str) -> FieldSpec:
    key, kind = raw["key"], raw["type"]
    _check_slug(key, where, "field key")
    if key in RESERVED_FIELD_KEYS:
        raise DefinitionError(f"{where}: field key {key!r} is reserved; choose another")

    def refuse(attr: str, allowed: str) -> None:
        if attr in raw:
            raise DefinitionError(f"{where}: '{attr}' is only allowed on {allowed} fields, not {kind}")

    max_length = raw.get("max_length")
    if kind in DEFAULT_MAX_LENGTH:
        max_length = max_length or DEFAULT_MAX_LENGTH[kind]
    else:
        refuse("max_length", "text and textarea")
    if kind in ("radios", "checkboxes"):
        if "options" not in raw:
            raise DefinitionError(f"{where}: a {kind} field needs 'options'")
        refuse("codes", "needs")
        options = _build_options(raw["options"], f"{where}.options")
    elif kind == "needs":
        if "codes" not in raw:
            raise DefinitionError(f"{where}: a needs field needs 'codes'")
        refuse("options", "radios and checkboxes")
        options = _build_options(raw["codes"], f"{where}.codes")
    else:
        refuse("options", "radios and checkboxes")
        refuse("codes", "needs")
        options = ()
    if kind != "date":
        refuse("past", "date")
    if kind != "scale":
        refuse("role", "scale")
    return FieldSpec(
        key=key,
        type=kind,
        label=raw["label"],
        required=raw["required"],
        hint=raw.get("hint") or None,
        error_name=raw.get("error_name"),
        max_length=max_length,
        options=options,
        past=bool(raw.get("past", False)),
        role=raw.get("role"),
    )


def _build(data: dict[str, Any]) -> Definition:
    section_keys: set[str] = set()
    roles: dict[str, str] = {}
    sections = []
    for s_index, raw_section in enumerate(data["sections"]):
        where = f"sections[{s_index}]"
        key = raw_section["key"]
        _check_slug(key, where, "section key")
        if key in section_keys:
            raise DefinitionError(f"{where}: section key {key!r} is used twice")
        section_keys.add(key)
        field_keys: set[str] = set()
        fields = []
        for f_index, raw_field in enumerate(raw_section["fields"]):
            f_where = f"{where}.fields[{f_index}]"
            spec = _build_field(raw_field, f_where)
            if spec.key in field_keys:
                raise DefinitionError(f"{f_where}: field key {spec.key!r} is used twice in section {key!r}")
            field_keys.add(spec.key)
            if spec.role:
                if spec.role in roles:
                    raise DefinitionError(
                        f"{f_where}: role {spec.role!r} is already used by {roles[spec.role]}"
                    )
                roles[spec.role] = f"{key}.{spec.key}"
            fields.append(spec)
        sections.append(
            Section(
                key=key,
                title=raw_section["title"],
                description=raw_section.get("description") or None,
                fields=tuple(fields),
                definition_name=data["name"],
                definition_version=data["version"],
            )
        )
    definition = Definition(
        name=data["name"],
        version=data["version"],
        title=data["title"],
        description=data.get("description") or None,
        sections=tuple(sections),
    )
    canonical = json.dumps(definition.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    object.__setattr__(definition, "_digest", digest)
    return definition


def load_definition(text_or_mapping: str | bytes | Mapping[str, Any]) -> Definition:
    """Parse and check a definition (YAML/JSON text or an already-parsed mapping).

    Raises ``DefinitionError`` naming the first problem and where it is, e.g.
    ``sections[3].fields[2]: 'type' must be one of text, textarea, ...``.
    """
    if isinstance(text_or_mapping, str | bytes):
        data = _parse(text_or_mapping)
    elif isinstance(text_or_mapping, Mapping):
        data = text_or_mapping
    else:
        raise DefinitionError("a definition must be YAML or JSON text, or a mapping")
    if not isinstance(data, Mapping):
        raise DefinitionError("definition: the top level must be a mapping")
    try:
        data = json.loads(json.dumps(data, default=_refuse_non_json))
    except (RecursionError, ValueError, TypeError) as exc:
        raise DefinitionError("definition: the structure is too deep or not representable as JSON") from exc
    _check_schema(data)
    return _build(data)


def _refuse_non_json(value: Any) -> Any:
    # YAML turns unquoted dates (and !!binary) into objects JSON lacks; replacing them with a mapping makes
    # the schema report them where they are ("'label' must be text").
    return {"not JSON": repr(value)}


@lru_cache(maxsize=1)
def _shipped() -> tuple[Definition, ...]:
    found = []
    for path in sorted(DEFINITIONS_DIR.glob("*.y*ml")) + sorted(DEFINITIONS_DIR.glob("*.json")):
        try:
            found.append(load_definition(path.read_bytes()))
        except DefinitionError as exc:
            raise DefinitionError(f"{path.name}: {exc}") from exc
    keys = [(d.name, d.version) for d in found]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise DefinitionError(f"shipped definitions repeat name and version: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda d: (d.name, d.version)))


def shipped_definitions() -> tuple[Definition, ...]:
    """Every definition under ``eha/forms/definitions/``, sorted by name then version (loaded once)."""
    return _shipped()


def get_definition(name: str, version: int) -> Definition:
    """The shipped definition with this name and version; ``KeyError`` if there is none."""
    for definition in shipped_definitions():
        if definition.name == name and definition.version == version:
            return definition
    raise KeyError(f"{name} v{version}")


def latest_definition(name: str = "eha-default") -> Definition:
    """The highest shipped version of a definition: what a new assessment starts on."""
    candidates = [d for d in shipped_definitions() if d.name == name]
    if not candidates:
        raise KeyError(name)
    return max(candidates, key=lambda d: d.version)


# --- reading answers ---


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


def missing_required(
    definition: Definition, all_answers: Mapping[str, Mapping[str, Any] | None] | None
) -> list[tuple[str, str]]:
    """``(section title, field label)`` for every required field not yet answered, in form order."""
    all_answers = all_answers or {}
    missing = []
    for section, spec in definition.iter_fields():
        if spec.required and not is_answered(spec, (all_answers.get(section.key) or {}).get(spec.key)):
            missing.append((section.title, spec.label))
    return missing


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    return []


def needs_identified(
    definition: Definition, all_answers: Mapping[str, Mapping[str, Any] | None] | None
) -> list[str]:
    """The codes picked in any ``needs`` field, in the definition's order, without repeats."""
    all_answers = all_answers or {}
    found: list[str] = []
    for section, spec in definition.iter_fields():
        if spec.type != "needs":
            continue
        picked = set(_as_list((all_answers.get(section.key) or {}).get(spec.key)))
        found.extend(code for code in spec.option_values if code in picked and code not in found)
    return found


def _as_score(value: Any) -> int | None:
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
            scores[spec.role] = _as_score((all_answers.get(section.key) or {}).get(spec.key))
    return scores


def format_date(value: date) -> str:
    """GOV.UK style: "5 March 2024"."""
    return f"{value.day} {value:%B %Y}"


def answer_items(spec: FieldSpec, value: Any) -> list[str]:
    """The human-readable parts of an answer: one string per chosen option, or a single string."""
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
            return [format_date(value if isinstance(value, date) else date.fromisoformat(str(value)))]
        except ValueError:
            return [str(value)]
    if spec.type == "scale":
        score = _as_score(value)
        return [f"{score} out of {SCALE_MAX}"] if score is not None else [str(value)]
    return [str(value)]


def answer_display(spec: FieldSpec, value: Any, separator: str = "; ") -> str:
    """A saved answer as plain text for the review screen and the PDF; ``""`` when unanswered."""
    return separator.join(answer_items(spec, value))
