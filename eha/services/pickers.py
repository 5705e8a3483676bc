"""Choosing a person from many (issue 14): each picker's pool of the people it may offer, searched by name.

A pool of a few people is listed outright (radios or checkboxes are quicker than a search); a longer one is a
search: the page shows only the people found and the ones already chosen, never the whole pool. The page without
JavaScript and the JSON endpoint behind ``accessible-autocomplete`` ask the same pool, so both offer only people
the user may choose, and a posted value is accepted only if the pool holds it (asked of the database, not of
a list the page once showed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from eha.extensions import db
from eha.models.families import fold_name
from eha.models.users import User
from eha.people import PersonRef

# At most this many people found are shown at once (the user narrows the search for others).
PICK_LIMIT = 20
# A pool this short is listed outright.
LIST_MAX = 12
# Words past this many in a search add nothing but work.
_MAX_WORDS = 4
_MAX_TEXT = 100


def search_words(text):
    """The folded words of a search, ``"  Nía  EVANS "`` -> ``["nia", "evans"]`` (at most a few, none empty)."""
    return fold_name((text or "").replace("\x00", "")[:_MAX_TEXT]).split()[:_MAX_WORDS]


def user_label(user, job_title=True):
    """ "Nia Nurse, Health Visiting (School nurse)": how a practitioner is offered."""
    label = f"{user.name}, {user.agency.name}"
    return label + (f" ({user.job_title})" if job_title and user.job_title else "")


@dataclass
class Pool:
    """Who one picker may offer. Either ``users``, a select of ``User`` searched in the database (``value`` and
    ``parse`` turn a user into the form's value and back), or ``entries``, ``[(value, label)]`` already in hand
    (a case's own people: never many). ``listed``: whether a short pool is listed outright."""

    users: sa.Select | None = None
    entries: list | None = None
    value: object = lambda user: str(user.id)
    parse: object = lambda value: int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None
    label: object = user_label
    listed: bool = True

    def _select(self, *conditions, limit=None):
        query = self.users.where(*conditions).options(joinedload(User.agency)).order_by(User.name, User.id)
        return db.session.scalars(query.limit(limit) if limit else query).unique().all()

    def short(self):
        """Whether the pool is listed outright: ``listed`` and at most ``LIST_MAX`` people (a bounded count)."""
        if not self.listed:
            return False
        if self.entries is not None:
            return len(self.entries) <= LIST_MAX
        ids = self.users.with_only_columns(User.id).order_by(None).limit(LIST_MAX + 1).subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(ids)) <= LIST_MAX

    def everyone(self):
        """``[(value, label)]`` of the whole pool: only for a short one."""
        if self.entries is not None:
            return list(self.entries)
        return [(self.value(u), self.label(u)) for u in self._select()]

    def search(self, text, limit=PICK_LIMIT):
        """``([(value, label)], more)``: the people whose name has every word of ``text`` (ignoring case and
        accents, for the case's own people), at most ``limit``."""
        words = search_words(text)
        if not words:
            return [], False
        if self.entries is not None:
            found = [(v, label) for v, label in self.entries if all(w in fold_name(label) for w in words)]
        else:
            name = sa.func.lower(User.name)
            found = [
                (self.value(u), self.label(u))
                for u in self._select(*(name.contains(w, autoescape=True) for w in words), limit=limit + 1)
            ]
        return found[:limit], len(found) > limit

    def chosen(self, values):
        """``[(value, label)]`` of those of ``values`` the pool holds (a forged or stale value is not among them)."""
        values = [v for v in values if isinstance(v, str)][:PICK_LIMIT]
        if self.entries is not None:
            return [(v, label) for v, label in self.entries if v in values]
        ids = {self.parse(v) for v in values} - {None}
        if not ids:
            return []
        return [(self.value(u), self.label(u)) for u in self._select(User.id.in_(ids))]

    def any(self):
        """Whether the pool holds anyone at all."""
        if self.entries is not None:
            return bool(self.entries)
        return db.session.scalar(sa.select(self.users.with_only_columns(User.id).order_by(None).limit(1).exists()))


@dataclass
class Offer:
    """What a picker shows: ``choices`` (``[(value, label)]``) and, when it is a search, what was searched for."""

    choices: list
    searching: bool = False
    text: str = ""
    found: int = 0
    more: bool = False
    chosen: list = field(default_factory=list)


def offer(pool, text=None, posted=()):
    """The choices a picker offers: the whole pool if it is short, else the people already chosen (``posted``,
    as far as the pool holds them) and those found for ``text``."""
    if pool.short():
        return Offer(pool.everyone())
    chosen = pool.chosen(list(posted))
    found, more = pool.search(text) if text else ([], False)
    seen = {v for v, _ in chosen}
    return Offer(
        chosen + [(v, label) for v, label in found if v not in seen],
        searching=True,
        text=(text or "")[:_MAX_TEXT],
        found=len(found),
        more=more,
        chosen=chosen,
    )


def results(pool, text):
    """The JSON endpoint's answer: the people found for ``text`` (at most ``PICK_LIMIT``) and whether there are more."""
    found, more = pool.search(text)
    return {"results": [{"value": v, "label": label} for v, label in found], "more": more}


# --- the pools ---


def person_value(user):
    return PersonRef("user", user.id).value


def person_id(value):
    ref = PersonRef.parse(value)
    return ref.id if ref is not None and ref.kind == "user" else None


def grant_pool(case):
    """Duty to share: every active practitioner of the council, so always a search."""
    from eha.services import grants

    return Pool(users=grants.grantable_query(), label=lambda u: user_label(u, job_title=False), listed=False)


def lead_pool(case):
    """Handover: the practitioners of the agencies the family agreed to, but the current lead."""
    from eha.services import lead

    return Pool(users=lead.eligible_leads_query(case))


def invite_pool(case):
    """Invitations: the active users of the agencies the family agreed to."""
    from eha.services import meetings

    return Pool(users=meetings.invitable_query(case), value=person_value, parse=person_id)


def owner_pool(case, action=None):
    """Who will do an action: the lead, the TAF, the family and the people on the case (a case's own people)."""
    from eha.services import plans

    return Pool(entries=plans.action_choices(case, action)[1])


POOLS = {"grant": grant_pool, "lead": lead_pool, "invite": invite_pool, "owner": owner_pool}


def offer_for(kind, case, text=None, chosen=(), **pool_args):
    """The offer of the ``kind`` picker (a key of ``POOLS``) on ``case`` for ``text``, keeping ``chosen``."""
    if isinstance(chosen, str):
        chosen = [chosen]
    return offer(POOLS[kind](case, **pool_args), text, [v for v in chosen or () if v])


def search_for(kind, case, text):
    """The JSON endpoint's answer for the ``kind`` picker on ``case``."""
    return results(POOLS[kind](case), text)
