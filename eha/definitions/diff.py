"""What a new form definition version changes from another: sections and questions added, removed and changed,
and which questions become required or optional. An administrator reads this before activating a version."""

from __future__ import annotations

from dataclasses import dataclass, field

from eha.definitions.schema import Definition, FieldSpec, Section

# FieldSpec attribute -> how a change to it is named
_FIELD_ASPECTS = (
    ("label", "question wording"),
    ("type", "kind of answer"),
    ("hint", "hint"),
    ("options", "options"),
    ("max_length", "length allowed"),
    ("past", "date must be in the past"),
    ("role", "scaling role"),
)


@dataclass(frozen=True)
class FieldChange:
    section: str
    label: str
    changes: tuple[str, ...]

    @property
    def text(self) -> str:
        """One line for the page: "Voice of the child: 'Who spoke with the child?' (now required to complete)"."""
        what = "; ".join(self.changes)
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
    return "required to complete" if spec.required else "optional"


def _field_changes(old: FieldSpec, new: FieldSpec) -> tuple[str, ...]:
    out = [f"{name} changed" for attr, name in _FIELD_ASPECTS if getattr(old, attr) != getattr(new, attr)]
    if old.required != new.required:
        out.append("now required to complete" if new.required else "no longer required")
    return tuple(out)


def _section_changes(old: Section, new: Section) -> tuple[str, ...]:
    out = []
    if old.title != new.title:
        out.append(f"title changed from '{old.title}'")
    if old.kind != new.kind:
        out.append("now asked of each child" if new.each_child else "now asked once for the family")
    if old.description != new.description:
        out.append("description changed")
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
