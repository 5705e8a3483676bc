"""Loading a form definition from YAML or JSON, checking it, and the shipped definitions under ``shipped/``."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import jsonschema
import yaml

from eha.definitions.schema import (
    DEFAULT_MAX_LENGTH,
    DEFINITIONS_DIR,
    FAMILY_ONLY_FIELD_TYPES,
    MAX_DEFINITION_BYTES,
    RESERVED_FIELD_KEYS,
    SLUG_RE,
    VALIDATOR,
    Definition,
    DefinitionError,
    FieldSpec,
    Option,
    Section,
)


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
    errors = sorted(VALIDATOR.iter_errors(data), key=_path_key)
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


# attribute -> (the field types that may have it, how an error names them)
_ONLY_ON: dict[str, tuple[frozenset[str], str]] = {
    "max_length": (frozenset(DEFAULT_MAX_LENGTH), "text and textarea"),
    "options": (frozenset({"radios", "checkboxes"}), "radios and checkboxes"),
    "codes": (frozenset({"needs"}), "needs"),
    "past": (frozenset({"date"}), "date"),
    "role": (frozenset({"scale"}), "scale"),
}
# field type -> the attribute its choices come from
_CHOICES_FROM = {"radios": "options", "checkboxes": "options", "needs": "codes"}


def _refuse_misplaced(raw: dict[str, Any], where: str, attrs: Iterable[str]) -> None:
    kind = raw["type"]
    for attr in attrs:
        kinds, allowed = _ONLY_ON[attr]
        if attr in raw and kind not in kinds:
            raise DefinitionError(f"{where}: '{attr}' is only allowed on {allowed} fields, not {kind}")


def _field_options(raw: dict[str, Any], where: str) -> tuple[Option, ...]:
    kind = raw["type"]
    source = _CHOICES_FROM.get(kind)
    if source is not None and source not in raw:
        raise DefinitionError(f"{where}: a {kind} field needs '{source}'")
    _refuse_misplaced(raw, where, ("options", "codes"))
    return _build_options(raw[source], f"{where}.{source}") if source is not None else ()


def _build_field(raw: dict[str, Any], where: str) -> FieldSpec:
    key, kind = raw["key"], raw["type"]
    _check_slug(key, where, "field key")
    if key in RESERVED_FIELD_KEYS:
        raise DefinitionError(f"{where}: field key {key!r} is reserved; choose another")
    _refuse_misplaced(raw, where, ("max_length",))
    options = _field_options(raw, where)
    _refuse_misplaced(raw, where, ("past", "role"))
    max_length = raw.get("max_length") or DEFAULT_MAX_LENGTH.get(kind)
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


def _section_fields(raw_section: dict[str, Any], where: str, kind: str, roles: dict[str, str]) -> tuple:
    key = raw_section["key"]
    field_keys: set[str] = set()
    fields = []
    for f_index, raw_field in enumerate(raw_section["fields"]):
        f_where = f"{where}.fields[{f_index}]"
        spec = _build_field(raw_field, f_where)
        if kind == "each_child" and spec.type in FAMILY_ONLY_FIELD_TYPES:
            raise DefinitionError(
                f"{f_where}: a {spec.type} field is asked of the whole family, so it cannot be in an each_child section"
            )
        if spec.key in field_keys:
            raise DefinitionError(f"{f_where}: field key {spec.key!r} is used twice in section {key!r}")
        field_keys.add(spec.key)
        if spec.role:
            if spec.role in roles:
                raise DefinitionError(f"{f_where}: role {spec.role!r} is already used by {roles[spec.role]}")
            roles[spec.role] = f"{key}.{spec.key}"
        fields.append(spec)
    return tuple(fields)


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
        kind = raw_section.get("kind", "family")
        sections.append(
            Section(
                key=key,
                title=raw_section["title"],
                description=raw_section.get("description") or None,
                fields=_section_fields(raw_section, where, kind, roles),
                definition_name=data["name"],
                definition_version=data["version"],
                kind=kind,
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
        if "." in path.stem:  # eha-default-v2.cy.yaml: a translation (eha.definitions.translations)
            continue
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
    """Every definition under ``eha/definitions/shipped/``, sorted by name then version (loaded once)."""
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
