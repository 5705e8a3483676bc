"""The family's details on a case: the household, children, parents and carers, wider network, agencies.

The family's rows are shared by every episode about it, so a change made through one case shows on the others.
Only someone who may edit this case and may see every case of the family changes them (a manager, or the
practitioners of a family with no other episode they are kept out of): starting a new episode must not let
anyone rewrite what the lead of another case reads.

Every change carries the family's version: a save from a page opened before someone else's is refused
(``FamilyConflict``) and changes nothing.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from eha import access, audit
from eha.access import EDIT, Need
from eha.errors import NotFound, NotPermitted, StaleEdit
from eha.extensions import db
from eha.i18n import either
from eha.models.assessments import Assessment, AssessmentChild
from eha.models.base import utcnow
from eha.models.choices import MANAGER
from eha.models.families import Carer, Child, Family, InvolvedAgency, NetworkMember
from eha.models.users import Agency
from eha.services import corrections
from eha.services.assessments import (
    DuplicateEpisode,
    _set_carer,
    _set_child,
    contacts_for,
    open_episode_child_ids,
    refuse_taken_nhs_number,
)
from eha.transaction import case_action
from eha.workflow.states import OPEN_STATES

# what -> (model, the family's relationship holding the rows; None for the family itself)
PARTS = {
    "family": (Family, None),
    "child": (Child, "children"),
    "carer": (Carer, "carers"),
    "network": (NetworkMember, "network"),
    "agency": (InvolvedAgency, "involved_agencies"),
}


class FamilyConflict(StaleEdit):
    """Someone changed the household (the family or anyone in it) after the user opened the page."""


def cases_hidden_from(user, case):
    """Other cases of ``case``'s family that ``user`` may not see (their ids)."""
    if user.role == MANAGER:
        return []
    return list(
        db.session.scalars(
            sa.select(Assessment.id).where(
                Assessment.family_id == case.family_id, Assessment.id != case.id, ~access.visible_cases_filter(user)
            )
        )
    )


def may_change_household(user, case):
    return access.can_edit_assessment(user, case) and not cases_hidden_from(user, case)


def _hidden_cases_refusal(case):
    names = contacts_for([case.family_id]).get(case.family_id) or []
    return NotPermitted(
        _l(
            "The family's details are shared with another early help case that you cannot see, so you cannot "
            "change them. Contact %(who)s to have them changed.",
            who=either(names),
        ),
        detail={"reason": "family shared with a case not visible"},
    )


@dataclass(frozen=True)
class HouseholdNeed(Need):
    """``EDIT``, and sight of every other case of the family (a refusal names whom to contact)."""

    def refusal_for(self, user, case):
        error = super().refusal_for(user, case)
        if error is None and case is not None and cases_hidden_from(user, case):
            return _hidden_cases_refusal(case)
        return error


HOUSEHOLD = HouseholdNeed("change household", EDIT.permits, EDIT.refusal).during(
    OPEN_STATES, _l("This case is closed, so the family's details cannot be changed through it.")
)


def active_agencies():
    return db.session.scalars(sa.select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()


def family_page(case, user):
    return {"family": case.family, "can_edit": case.is_open and may_change_household(user, case)}


def household_record(case, what, record_id=None):
    """The row ``what`` of the case's family being changed (None when adding); 404 when not this family's."""
    family = case.family
    if what == "family":
        return family
    if record_id is None:
        return None
    found = next((r for r in getattr(family, PARTS[what][1]) if r.id == record_id), None)
    if found is None:
        raise NotFound(_l("There is no such person or agency in this family."), detail={"record_id": record_id})
    return found


def saved_data(what, record):
    """The form's data for ``record`` as saved (None when adding)."""
    if record is None:
        return None
    data = {c.key: getattr(record, c.key) for c in sa.inspect(PARTS[what][0]).column_attrs}
    data.pop("version_id", None)
    if what == "carer":
        data["interpreter_needed"] = "yes" if record.interpreter_needed else "no"
    if what == "agency":
        data["agency_id"] = str(record.agency_id) if record.agency_id else None
        if record.agency_id:
            data["agency_name"] = ""
    return data


def names_on_record(case, what):
    """Who is on record now in the part the user was adding to (for the conflict page)."""
    relation = PARTS[what][1]
    return [getattr(r, "agency_name", None) or r.name for r in getattr(case.family, relation)] if relation else []


@case_action
def update_family(case, user, what, record=None, data=None, *, agency=None, expected_version=None):
    """Add or change a part of the case's family; ``what`` is family, child, carer, network or agency.

    ``expected_version`` is the family's ``version_id`` the user's page was built from (as posted, so a
    string or None): a mismatch raises ``FamilyConflict`` and changes nothing. Every change to the household
    bumps the family's version, so an edit of any part conflicts with any page opened before it.
    """
    if not may_change_household(user, case):
        raise _hidden_cases_refusal(case) if access.can_edit_assessment(user, case) else NotPermitted(EDIT.refusal)
    family = case.family
    db.session.refresh(family)  # under the case's lock: the version now, not when the page was read
    if expected_version is None or str(expected_version) != str(family.version_id):
        raise FamilyConflict()
    data = dict(data or {})
    if what == "child":
        refuse_taken_nhs_number(user, data.get("nhs_number"), family=family, child=record)
    before = corrections.snapshot(what, family if what == "family" else record)
    try:
        record = _apply_family_change(case, family, what, record, data, agency)
    except StaleDataError as exc:
        # A save through another case of this family bumped the version between our read and our UPDATE.
        raise FamilyConflict() from exc
    except IntegrityError as exc:
        # A unique index refused the change: the same NHS number recorded meanwhile, or an episode opened.
        db.session.rollback()
        if what == "child":
            kept = record if record is not None and record.id is not None else None
            refuse_taken_nhs_number(user, data.get("nhs_number"), family=case.family, child=kept)
        raise DuplicateEpisode([data.get("first_name") or ""], field="first_name") from exc
    corrected = corrections.record_edits(case, user, what, record, before)
    detail = {"part": what, "corrected": corrected} if corrected else {"part": what}
    audit.record("family_updated", assessment=case, user=user, detail=detail)
    return record


def _add(record, model, family):
    if record is None:
        record = model(family=family)
        db.session.add(record)
    return record


def _set_network(record, data, _agency):
    record.name = data["name"]
    record.relationship_to_family = data["relationship_to_family"]
    record.contact = data.get("contact") or None
    record.support_offered = data.get("support_offered") or None


def _set_involved(record, data, agency):
    record.agency_id = agency.id if agency else None
    record.agency_name = agency.name if agency else data["agency_name"]
    record.contact_name = data.get("contact_name") or None
    record.contact_details = data.get("contact_details") or None
    record.involvement = data.get("involvement") or None


def _set_household(family, data, _agency):
    family.name = data["name"]
    family.address = data.get("address") or None
    family.postcode = (data.get("postcode") or "").upper() or None


SETTERS = {
    "family": _set_household,
    "child": lambda record, data, _agency: _set_child(record, data),
    "carer": lambda record, data, _agency: _set_carer(record, data),
    "network": _set_network,
    "agency": _set_involved,
}


def _apply_family_change(case, family, what, record, data, agency):
    # Touching the family row makes SQLAlchemy's version_id_col write UPDATE families SET ...,
    # version_id = n + 1 WHERE id = ? AND version_id = n: the check and the bump are one atomic statement,
    # so of two concurrent saves from the same version only one can succeed (the other gets StaleDataError).
    family.updated_at = utcnow()
    adding_child = what == "child" and record is None
    record = family if what == "family" else _add(record, PARTS[what][0], family)
    SETTERS[what](record, data, agency)
    if adding_child:
        db.session.flush()
        # A child added to the family is part of the episode while it is open.
        if case.is_open:
            if open_episode_child_ids([record.id]):
                raise DuplicateEpisode([record.name], field="first_name")
            case.subjects.append(AssessmentChild(child=record, is_open=True))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        if what == "child":
            raise  # the NHS number's unique index or the open episode's: update_family says which
        raise DuplicateEpisode([getattr(record, "name", "")], field="first_name") from exc
    return record
