"""A definition version's text in another language (issue 18), kept apart from the definition itself.

A released version's content and digest never change (assessments under way were started on it), so its Welsh
lives in a translation file of its own: ``shipped/<name>-v<version>.<language>.yaml`` beside a shipped version,
or uploaded by an administrator for a council's own version. It is keyed by section key, field key and option
value, and holds only text::

    definition: eha-default
    version: 2
    language: cy
    title: Asesiad Cymorth Cynnar
    sections:
      about-the-request:
        title: Ynglŷn â’r cais am gymorth
        fields:
          who-asked:
            label: Pwy ofynnodd am gymorth?
            options:
              agency: Asiantaeth neu weithiwr proffesiynol      # or {label: ..., hint: ...}

Checked on loading: a key the definition does not have, a text the English lacks (a hint on a question without
one) and a placeholder (``%(name)s``, ``{name}``) that is not the English one are errors naming where. A text
left out shows in English. Stored option values never change with the language, and the localised definition
keeps the English one's digest: it is the same version, read in another language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from eha.definitions.loading import _parse
from eha.definitions.schema import DEFINITIONS_DIR, Definition, DefinitionError, FieldSpec, Option, Section

# The languages a definition may be translated into (the interface's, other than English).
TRANSLATION_LANGUAGES = {"cy": "Welsh"}

_PLACEHOLDER_RE = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# text key -> its longest allowed length (the definition schema's limits)
_TEXT_LIMITS = {"title": 200, "description": 5000, "label": 500, "hint": 2000, "error_name": 200}
_OPTION_LIMITS = {"label": 500, "hint": 1000}


@dataclass(frozen=True)
class Translation:
    """A checked translation: ``texts`` maps a place (``("sections", key, "fields", key, "label")``) to its text."""

    name: str
    version: int
    language: str
    texts: Mapping[tuple[str, ...], str]

    def text(self, place: tuple[str, ...], english: str | None) -> str | None:
        return self.texts.get(place, english) if english else english


def shipped_translation_path(name: str, version: int, language: str):
    return DEFINITIONS_DIR / f"{name}-v{version}.{language}.yaml"


def _where(place: tuple[str, ...]) -> str:
    return ".".join(place)


def _check_text(value: Any, place: tuple[str, ...], english: str | None, limit: int) -> str:
    where = _where(place)
    if english is None:
        raise DefinitionError(f"{where}: the definition has no {place[-1]} here to translate")
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(f"{where}: must be text, not empty")
    if len(value) > limit:
        raise DefinitionError(f"{where}: must be {limit} characters or fewer")
    if "\x00" in value:
        raise DefinitionError(f"{where}: contains a NUL character")
    wanted, found = sorted(_PLACEHOLDER_RE.findall(english)), sorted(_PLACEHOLDER_RE.findall(value))
    if wanted != found:
        raise DefinitionError(
            f"{where}: the placeholders ({', '.join(found) or 'none'}) are not the English ones "
            f"({', '.join(wanted) or 'none'})"
        )
    return value.strip()


def _mapping(value: Any, place: tuple[str, ...], allowed: Mapping[str, Any]) -> Mapping[str, Any]:
    where = _where(place) or "translation"
    if not isinstance(value, Mapping):
        raise DefinitionError(f"{where}: must be a mapping")
    if any(isinstance(k, bool) for k in value):
        # YAML reads an unquoted yes, no, on or off as true or false: the option value is lost.
        raise DefinitionError(f"{where}: a key was read as true or false; put option values such as 'yes' in quotes")
    # An unquoted number (an option value "1") is read as a number: it means the same text.
    value = {str(k) if isinstance(k, int | float) else k: v for k, v in value.items()}
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise DefinitionError(f"{where}: unknown key {', '.join(repr(k) for k in unknown)}")
    return value


class _Reader:
    """Walks a parsed translation against the definition, collecting the checked texts."""

    def __init__(self, definition: Definition):
        self.definition = definition
        self.texts: dict[tuple[str, ...], str] = {}

    def texts_of(self, raw: Mapping[str, Any], place: tuple[str, ...], english: Mapping[str, str | None], limits):
        for key in limits:
            if key in raw:
                self.texts[(*place, key)] = _check_text(raw[key], (*place, key), english.get(key), limits[key])

    def option(self, raw: Any, place: tuple[str, ...], option: Option) -> None:
        english = {"label": option.label, "hint": option.hint}
        if isinstance(raw, str):
            raw = {"label": raw}
        self.texts_of(_mapping(raw, place, english), place, english, _OPTION_LIMITS)

    def field(self, raw: Any, place: tuple[str, ...], spec: FieldSpec) -> None:
        english = {"label": spec.label, "hint": spec.hint, "error_name": spec.error_name}
        raw = _mapping(raw, place, {**english, "options": None} if spec.options else english)
        self.texts_of(raw, place, english, _TEXT_LIMITS)
        if "options" in raw:
            options = {option.value: option for option in spec.options}
            raw_options = _mapping(raw["options"], (*place, "options"), options)
            for value, raw_option in raw_options.items():
                self.option(raw_option, (*place, "options", str(value)), options[value])

    def section(self, raw: Any, place: tuple[str, ...], section: Section) -> None:
        english = {"title": section.title, "description": section.description}
        raw = _mapping(raw, place, {**english, "fields": None})
        self.texts_of(raw, place, english, _TEXT_LIMITS)
        if "fields" in raw:
            specs = {spec.key: spec for spec in section.fields}
            raw_fields = _mapping(raw["fields"], (*place, "fields"), specs)
            for key, raw_field in raw_fields.items():
                self.field(raw_field, (*place, "fields", key), specs[key])

    def top(self, raw: Mapping[str, Any]) -> None:
        definition = self.definition
        self.texts_of(raw, (), {"title": definition.title, "description": definition.description}, _TEXT_LIMITS)
        sections = {section.key: section for section in definition.sections}
        raw_sections = _mapping(raw.get("sections", {}), ("sections",), sections)
        for key, raw_section in raw_sections.items():
            self.section(raw_section, ("sections", key), sections[key])


_TOP_KEYS = dict.fromkeys(("definition", "version", "language", "title", "description", "sections"))


def _check_header(raw: Mapping[str, Any], definition: Definition) -> str:
    for key in ("definition", "version", "language"):
        if key not in raw:
            raise DefinitionError(f"translation: '{key}' is required")
    version = raw["version"]
    if raw["definition"] != definition.name or type(version) is not int or version != definition.version:
        raise DefinitionError(
            f"translation: it is for {raw['definition']} version {raw['version']}, not {definition.name} version "
            f"{definition.version}"
        )
    language = raw["language"]
    if language not in TRANSLATION_LANGUAGES:
        raise DefinitionError(
            f"translation: 'language' must be one of {', '.join(TRANSLATION_LANGUAGES)}, not {language!r}"
        )
    return language


def translation_target(text: str | bytes) -> tuple[str, int]:
    """``(definition name, version)`` a translation says it is for, before it is checked against that version."""
    raw = _mapping(_parse(text), (), _TOP_KEYS)
    for key in ("definition", "version"):
        if key not in raw:
            raise DefinitionError(f"translation: '{key}' is required")
    if not isinstance(raw["definition"], str) or type(raw["version"]) is not int:
        raise DefinitionError("translation: 'definition' must be a name and 'version' a whole number")
    return raw["definition"], raw["version"]


def load_translation(text: str | bytes, definition: Definition) -> Translation:
    """Parse and check a translation of ``definition``; ``DefinitionError`` names the first problem and where."""
    raw = _mapping(_parse(text), (), _TOP_KEYS)
    language = _check_header(raw, definition)
    reader = _Reader(definition)
    reader.top(raw)
    return Translation(definition.name, definition.version, language, reader.texts)


def localise(definition: Definition, translation: Translation | None) -> Definition:
    """``definition`` with its text in the translation's language (English where the translation is silent).
    Keys, option values, types and the digest are the English version's."""
    if translation is None:
        return definition
    t = translation.text

    def option(place, o):
        return replace(o, label=t((*place, o.value, "label"), o.label), hint=t((*place, o.value, "hint"), o.hint))

    def field(place, spec):
        here = (*place, spec.key)
        return replace(
            spec,
            label=t((*here, "label"), spec.label),
            hint=t((*here, "hint"), spec.hint),
            error_name=t((*here, "error_name"), spec.error_name),
            options=tuple(option((*here, "options"), o) for o in spec.options),
        )

    def section(s):
        here = ("sections", s.key)
        return replace(
            s,
            title=t((*here, "title"), s.title),
            description=t((*here, "description"), s.description),
            fields=tuple(field((*here, "fields"), spec) for spec in s.fields),
            language=translation.language,
        )

    localised = replace(
        definition,
        title=t(("title",), definition.title),
        description=t(("description",), definition.description),
        sections=tuple(section(s) for s in definition.sections),
        language=translation.language,
    )
    object.__setattr__(localised, "_digest", definition.digest)
    return localised


def template(definition: Definition, language: str) -> str:
    """A translation file for ``definition`` with every text in English, for a translator to overwrite."""
    import yaml

    def texts(obj, keys):
        return {k: getattr(obj, k) for k in keys if getattr(obj, k)}

    out: dict[str, Any] = {"definition": definition.name, "version": definition.version, "language": language}
    out.update(texts(definition, ("title", "description")))
    out["sections"] = {}
    for s in definition.sections:
        fields = {}
        for spec in s.fields:
            entry = texts(spec, ("label", "hint", "error_name"))
            if spec.options:
                entry["options"] = {o.value: texts(o, ("label", "hint")) for o in spec.options}
            fields[spec.key] = entry
        out["sections"][s.key] = {**texts(s, ("title", "description")), "fields": fields}
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=110)
