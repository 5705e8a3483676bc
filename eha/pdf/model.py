"""Plain view-models for the PDF renderers.

The renderers never touch the database or Flask: the app builds one of these frozen dataclasses from its
models (in a view or a domain function) and hands it to ``render_plan`` / ``render_assessment``. Every string
here is the user's own text, unescaped; the renderers escape it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Person:
    """A child in the family."""

    name: str
    date_of_birth: date | None = None


@dataclass(frozen=True)
class Contact:
    """The lead professional: the one person the family contacts first."""

    name: str
    role: str = ""
    agency: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Member:
    """A member of the Team Around the Family."""

    name: str
    agency: str = ""
    role: str = ""


@dataclass(frozen=True)
class Action:
    """One row of the plan: what, who, by when, how we'll know it worked.

    ``is_family`` marks an action the family itself has agreed to do; the PDF says so in words.
    """

    number: int | str
    need: str
    what: str
    who: str
    is_family: bool = False
    by_when: date | None = None
    success: str = ""


@dataclass(frozen=True)
class Signature:
    """Someone who agreed the plan. ``method``: e.g. "In person on screen" or "On paper"."""

    name: str
    role: str
    signed_on: date
    method: str


@dataclass(frozen=True)
class PlanDocument:
    """Everything printed on one version of a family plan.

    ``digest`` is the SHA-256 hex of the signed content (see ``eha.pdf.digest``); ``None`` for a draft.
    ``front_door`` is multi-line text: who to contact if things get worse.
    """

    reference: str
    version: int
    is_draft: bool
    organisation: str
    service_name: str
    family_name: str
    children: tuple[Person, ...] | list[Person]
    lead: Contact
    taf_members: tuple[Member, ...] | list[Member]
    worries: str
    working_well: str
    needs: tuple[str, ...] | list[str]
    actions: tuple[Action, ...] | list[Action]
    next_review: date | None
    front_door: str
    signatures: tuple[Signature, ...] | list[Signature]
    digest: str | None
    generated_at: datetime
    # Signatures recorded on the signed version after it was signed: printed, but not part of the digest.
    later_signatures: tuple[Signature, ...] | list[Signature] = ()


@dataclass(frozen=True)
class SectionDoc:
    """One section of an assessment: its title and (question label, answer) pairs in form order."""

    title: str
    answers: tuple[tuple[str, str], ...] | list[tuple[str, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class AssessmentDocument:
    """A printable record of an Early Help Assessment."""

    reference: str
    organisation: str
    service_name: str
    family_name: str
    children: tuple[Person, ...] | list[Person]
    state_label: str
    definition_label: str
    sections: tuple[SectionDoc, ...] | list[SectionDoc]
    generated_at: datetime
