"""What a new form definition version changes from another: sections and questions added, removed and changed,
and which questions become required or optional. An administrator reads this before activating a version.

Each change is a lazy message: it reads in the language of the page that shows it (Welsh with ``?lang=cy``), while
the section titles and the questions are the definition's own words, quoted as written."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from eha.definitions.schema import Definition, FieldSpec, Section

# FieldSpec attribute -> what the page says when it changes (whole phrases, so each translates as one)
_FIELD_ASPECTS = (
    ("label", _l("question wording changed")),
    ("type", _l("kind of answer changed")),
    ("hint", _l("hint changed")),
    ("options", _l("options changed")),
    ("max_length", _l("length allowed changed")),
    ("past", _l("date must be in the past changed")),
    ("role", _l("scaling role changed")),
)


@dataclass(frozen=True)
class FieldChange:
    section: str
    label: str
    changes: tuple[str, ...]

    @property
    def text(self) -> str:
        """One line for the page: "Voice of the child: 'Who spoke with the child?' (now required to complete)"."""
        what = "; ".join(str(change) for change in self.changes)
        if not self.label:
            return f"{self.section}: {what}"
        return f"{self.section}: '{self.label}' ({what})"


@dataclass
class DefinitionDiff:
    """The differences from ``old`` to ``new``, in the new version's order (removals in the old one's)."""

    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)
    sections_changed: list[FieldChange] = field(default_factory=list)
    fields_added: list[FieldChange] = field(default_factory=list)
    fields_removed: list[FieldChange] = field(default_factory=list)
    fields_changed: list[FieldChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.sections_added,
                self.sections_removed,
                self.sections_changed,
                self.fields_added,
                self.fields_removed,
                self.fields_changed,
            )
        )


def _required_note(spec: FieldSpec) -> str:
    return _l("required to complete") if spec.required else _l("optional")


def _field_changes(old: FieldSpec, new: FieldSpec) -> tuple[str, ...]:
    out = [changed for attr, changed in _FIELD_ASPECTS if getattr(old, attr) != getattr(new, attr)]
    if old.required != new.required:
        out.append(_l("now required to complete") if new.required else _l("no longer required"))
    return tuple(out)


def _section_changes(old: Section, new: Section) -> tuple[str, ...]:
    out = []
    if old.title != new.title:
        out.append(_l("title changed from '%(title)s'", title=old.title))
    if old.kind != new.kind:
        out.append(_l("now asked of each child") if new.each_child else _l("now asked once for the family"))
    if old.description != new.description:
        out.append(_l("description changed"))
    return tuple(out)


def _compare_fields(diff: DefinitionDiff, old: Section, new: Section) -> None:
    old_fields = {spec.key: spec for spec in old.fields}
    new_keys = set(new.field_keys)
    for spec in new.fields:
        before = old_fields.get(spec.key)
        if before is None:
            diff.fields_added.append(FieldChange(new.title, spec.label, (_required_note(spec),)))
        elif changes := _field_changes(before, spec):
            diff.fields_changed.append(FieldChange(new.title, spec.label, changes))
    for spec in old.fields:
        if spec.key not in new_keys:
            diff.fields_removed.append(FieldChange(new.title, spec.label, (_required_note(spec),)))


def compare(old: Definition, new: Definition) -> DefinitionDiff:
    """What changes from ``old`` (the active version) to ``new``. Sections and questions are matched by key."""
    diff = DefinitionDiff()
    old_sections = {section.key: section for section in old.sections}
    for section in new.sections:
        before = old_sections.get(section.key)
        if before is None:
            diff.sections_added.append(section.title)
            continue
        if changes := _section_changes(before, section):
            diff.sections_changed.append(FieldChange(section.title, "", changes))
        _compare_fields(diff, before, section)
    diff.sections_removed = [s.title for s in old.sections if not new.has_section(s.key)]
    return diff
