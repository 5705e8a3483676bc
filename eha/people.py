"""A person chosen on a form (an action's owner, a signer, someone who gave agreement, a meeting's attendee) as
one small value with one encoding: ``"carer:3"``. Choices, posted values, stored columns and the audit trail all
go through ``PersonRef``; nothing else builds or splits these strings."""

from dataclasses import dataclass

# The kinds of person on a case: a user (a professional with an account), the lead professional or a TAF member
# when signing in that role, a parent or carer, a child or young person, or a person on the case without an
# account (``CasePerson``: the family's network, a GP, an advocate).
KINDS = ("user", "lead", "taf", "carer", "child", "person")


@dataclass(frozen=True, order=True)
class PersonRef:
    kind: str
    id: int

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of person: {self.kind!r}")

    def __str__(self):
        return f"{self.kind}:{self.id}"

    @property
    def value(self):
        """The form value: ``"carer:3"``."""
        return str(self)

    @classmethod
    def parse(cls, value):
        """``"carer:3"`` -> ``PersonRef("carer", 3)``; None for anything else (a forged or stale value)."""
        if isinstance(value, PersonRef):
            return value
        if not isinstance(value, str):
            return None
        kind, sep, raw_id = value.partition(":")
        if not sep or kind not in KINDS or not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 18:
            return None
        return cls(kind, int(raw_id))


def user(ident):
    return PersonRef("user", ident)


def carer(ident):
    return PersonRef("carer", ident)


def child(ident):
    return PersonRef("child", ident)


def person(ident):
    return PersonRef("person", ident)
