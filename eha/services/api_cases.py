"""What the API reads and changes on cases: my cases by cursor, a case's summary, progress on an action I own.

The access policy is the pages' own: "my cases" is ``eha.services.my_cases.my_cases_filter`` and a case is
loaded by ``eha.access.load_case`` (404, and a ``case_refused`` event, for a case the token's user may not see).
Progress goes through ``eha.services.plans.update_progress`` (the owner check, the case lock, the version: 409
on a stale one).
"""

import base64
import binascii
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from eha.errors import NotPermitted
from eha.extensions import db
from eha.models.assessments import Assessment, AssessmentChild, TafMember
from eha.models.choices import ACTION_PROGRESS
from eha.services import plans
from eha.services.my_cases import my_cases_filter
from eha.workflow import timescales
from eha.workflow.states import STATE_LABELS

API_OWNER_MESSAGE = "Through the API you can update only the actions you own."


class BadCursor(ValueError):
    """A cursor this API did not give out."""


def encode_cursor(case_id):
    return base64.urlsafe_b64encode(f"c{case_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor):
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor(cursor) from exc
    if not text.startswith("c") or not text[1:].isdigit() or len(text) > 20:
        raise BadCursor(cursor)
    return int(text[1:])


def _due(case, today):
    label, due_on, overdue = timescales.due_status(case, today)
    if not label:
        return None
    return {"what": label, "on": due_on, "overdue": overdue}


def _case_item(case, today):
    return {
        "ref": case.ref,
        "state": case.state,
        "state_label": STATE_LABELS.get(case.state, case.state),
        "family_name": case.family.name,
        "children": [child.name for child in case.children],
        "lead": case.lead.name if case.lead else None,
        "due": _due(case, today),
    }


def my_cases(user, *, cursor=None, limit=25, today=None):
    """One page of the user's open cases (the "My cases" list's), by case id: ``(items, next cursor or None)``.
    Three queries whatever the page size: the page, its children, their names."""
    after = decode_cursor(cursor)
    rows = db.session.scalars(
        sa.select(Assessment)
        .where(my_cases_filter(user), Assessment.id > after)
        .order_by(Assessment.id)
        .limit(limit + 1)
        .options(
            joinedload(Assessment.family),
            joinedload(Assessment.lead),
            selectinload(Assessment.subjects).joinedload(AssessmentChild.child),
        )
    ).all()
    today = today or date.today()
    page = rows[:limit]
    following = encode_cursor(page[-1].id) if len(rows) > limit else None
    return [_case_item(case, today) for case in page], following


def _team(case):
    lead = case.lead or case.started_by
    team = []
    if lead is not None:
        team.append({"name": lead.name, "agency": lead.agency.name, "role": "Lead professional", "lead": True})
    members = db.session.scalars(
        sa.select(TafMember)
        .where(TafMember.assessment_id == case.id, TafMember.removed_at.is_(None))
        .options(joinedload(TafMember.user))
        .order_by(TafMember.id)
    ).all()
    for member in members:
        if lead is not None and member.user_id == lead.id:
            continue
        user = member.user
        team.append({"name": user.name, "agency": user.agency.name, "role": member.role or "TAF member", "lead": False})
    return team


def _action(case, action, user, version):
    return {
        "key": action.key,
        "what": action.what,
        "who": plans.who_label(action),
        "due_on": action.due_on,
        "success": action.success_measure,
        "progress": action.progress,
        "progress_label": ACTION_PROGRESS.get(action.progress) if action.progress else None,
        "version": action.version_id,
        "yours": action.owner_user_id == user.id,
        "agreed": version.status == "signed",
    }


def summary(case, user, today=None):
    """A case as the API shows it: state, what is due, the team and the actions of the plan (the plan in force,
    or the draft before one is signed)."""
    today = today or date.today()
    version = plans.signed_plan(case) or plans.current_plan(case)
    actions = sorted(version.actions, key=lambda a: a.position) if version else []
    return {
        **_case_item(case, today),
        "team": _team(case),
        "plan_version": version.number if version else None,
        "actions": [_action(case, action, user, version) for action in actions],
    }


def update_own_action(case, key, user, *, version, progress, comment):
    """Record progress on the action ``key`` the token's user owns; returns it as the summary shows it."""
    action = plans.action_for_key(case, key, plans.signed_plan(case))
    if action is not None and action.owner_user_id != user.id:
        raise NotPermitted(API_OWNER_MESSAGE, detail={"action": key})
    plans.update_progress(case, key, user, expected_version=version, progress=progress, comment=comment)
    signed = plans.signed_plan(case)
    return _action(case, plans.action_for_key(case, key, signed), user, signed)
