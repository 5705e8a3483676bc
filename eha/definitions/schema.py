"""The shape of an assessment form definition: the JSON Schema, the rules it cannot express, and the
immutable dataclasses a loaded definition is made of."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from flask_wtf import FlaskForm

from eha.formatting import lower_first

FIELD_TYPES = ("text", "textarea", "radios", "checkboxes", "date", "scale", "needs")
# A family section is answered once for the household; an each-child section once for every child in it.
SECTION_KINDS = ("family", "each_child")
# What is asked about the household as a whole: the guards and the plan read these once per case.
FAMILY_ONLY_FIELD_TYPES = frozenset({"needs", "scale"})
SCALE_ROLES = ("family", "practitioner")
SCALE_MIN, SCALE_MAX = 0, 10

DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 5000}
MAX_LENGTH_CAP = 20000

STATUS_NOT_STARTED = "not_started"
STATUS_IN_PROGRESS = "in_progress"
STATUS_COMPLETED = "completed"

DEFINITIONS_DIR = Path(__file__).parent / "shipped"

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
                    "kind": {"enum": list(SECTION_KINDS)},
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

VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


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
        return lower_first(label)

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
    kind: str = "family"
    # The language its text is in (eha.definitions.translations); never part of the content or the digest.
    language: str = "en"

    @property
    def each_child(self) -> bool:
        """Answered once for every child in the household (their own developmental needs, their voice)."""
        return self.kind == "each_child"

    def title_for(self, child_name: str | None = None) -> str:
        """The title as the task list and the page show it: an each-child section names the child."""
        return f"{self.title}: {child_name}" if self.each_child and child_name else self.title

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
    language: str = "en"
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

    def pages(self, children: Iterable[Any]) -> list[tuple[Section, Any]]:
        """Every page of the assessment in order, ``(section, child or None)``: a household section once, a
        section asked of each child once for every one of ``children``."""
        children = list(children)
        out: list[tuple[Section, Any]] = []
        for section in self.sections:
            out += [(section, child) for child in children] if section.each_child else [(section, None)]
        return out

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
    if section.each_child:
        out["kind"] = section.kind
    if section.description:
        out["description"] = section.description
    out["fields"] = [_field_to_dict(spec) for spec in section.fields]
    return out
