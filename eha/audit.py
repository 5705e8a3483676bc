"""Writing and verifying the hash-chained audit trail.

``record`` adds an event to the current transaction, so it commits or rolls back with the
change it describes. Each event's hash covers its content and the previous event's hash.
"""

import hashlib
import json

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_login import current_user

from eha.extensions import db
from eha.models.audit import AuditChainHead, AuditEvent
from eha.models.base import utcnow

GENESIS_HASH = "0" * 64

# What each action means, in words, for timelines and history pages.
ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "sign_out": "Signed out",
    "account_locked": "Account locked after repeated failed sign-ins",
    "mfa_enrolled": "Set up two-factor sign-in",
    "mfa_failed": "Entered a wrong security code",
    "mfa_reset": "Reset a user's two-factor sign-in",
    "mfa_reset_requested": "Asked for a second-factor reset",
    "mfa_reset_declined": "Declined a second-factor reset",
    "mfa_reset_refused": "Was refused a second-factor reset",
    "password_reset_requested": "Asked for a password reset link",
    "password_reset": "Reset their password",
    "password_reset_refused": "Was refused a password reset",
    "case_viewed": "Viewed the case",
    "case_refused": "Was refused access",
    "case_created": "Started the assessment",
    "section_viewed": "Viewed an assessment section",
    "section_saved": "Saved an assessment section",
    "consent_recorded": "Recorded the family's agreement",
    "consent_withdrawn": "Recorded that the family withdrew agreement",
    "family_updated": "Updated the family's details",
    "transition": "Moved the case on",
    "closure_requested": "Asked a manager to sign off closing the case",
    "closure_rejected": "Sent a closure back to the lead professional",
    "meeting_scheduled": "Scheduled a meeting",
    "taf_member_removed": "Removed someone from the Team Around the Family",
    "meeting_recorded": "Recorded a meeting",
    "plan_viewed": "Viewed the plan",
    "plan_changed": "Changed the plan",
    "plan_signed": "Recorded a signature on the plan",
    "action_updated": "Updated progress on an action",
    "pdf_downloaded": "Downloaded a PDF",
    "history_viewed": "Viewed who has seen this record",
    "export": "Exported data",
    "grant_created": "Granted access (duty to share)",
    "grant_revoked": "Ended a duty-to-share grant",
    "forged_field": "Sent a field they may not change",
    "admin_change": "Administrative change",
}


def _client_ip():
    if has_request_context():
        return (request.remote_addr or "")[:64] or None
    return None


def _canonical(event):
    payload = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "user_id": event.user_id,
        "user_email": event.user_email,
        "user_name": event.user_name,
        "user_role": event.user_role,
        "agency_name": event.agency_name,
        "assessment_id": event.assessment_id,
        "case_ref": event.case_ref,
        "action": event.action,
        "outcome": event.outcome,
        "detail": event.detail,
        "ip_address": event.ip_address,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def compute_hash(event):
    return hashlib.sha256(_canonical(event)).hexdigest()


def _advance_chain():
    """Take the chain head under a write lock and return (seq, prev_hash)."""
    session = db.session
    row = session.execute(
        sa.update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(seq=AuditChainHead.seq + 1)
        .returning(AuditChainHead.seq, AuditChainHead.last_hash)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        session.execute(sa.insert(AuditChainHead).values(id=1, seq=1, last_hash=GENESIS_HASH))
        return 1, GENESIS_HASH
    return row.seq, row.last_hash


def record(action, *, assessment=None, outcome="success", detail=None, user=None, email=None):
    """Add an audit event to the current transaction and return it."""
    if user is None and has_request_context():
        candidate = current_user._get_current_object() if current_user else None
        if candidate is not None and getattr(candidate, "is_authenticated", False):
            user = candidate
    seq, prev_hash = _advance_chain()
    event = AuditEvent(
        seq=seq,
        occurred_at=utcnow(),
        user_id=user.id if user else None,
        user_email=user.email if user else (email[:320] if email else None),
        user_name=user.name if user else None,
        user_role=user.role if user else None,
        agency_name=user.agency.name if user and user.agency else None,
        assessment_id=assessment.id if assessment is not None else None,
        case_ref=assessment.ref if assessment is not None else None,
        action=action,
        outcome=outcome,
        detail=detail,
        ip_address=_client_ip(),
        prev_hash=prev_hash,
    )
    event.hash = compute_hash(event)
    db.session.add(event)
    db.session.execute(
        sa.update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(last_hash=event.hash)
        .execution_options(synchronize_session=False)
    )
    return event


def verify(batch_size=1000):
    """Walk the chain. Return (ok, checked_count, first_bad_event, problem)."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch_size)
        ).all()
        if not events:
            break
        for event in events:
            if event.seq != expected_seq:
                return False, checked, event, f"event {expected_seq} is missing (found {event.seq})"
            if event.prev_hash != prev_hash:
                return False, checked, event, "its previous-hash link does not match the event before it"
            if compute_hash(event) != event.hash:
                return False, checked, event, "its content does not match its hash"
            prev_hash = event.hash
            expected_seq += 1
            checked += 1
            last_seq = event.seq
        db.session.expunge_all()
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.seq != checked or head.last_hash != prev_hash):
        return False, checked, None, "the chain ends early: events after the last one have been removed"
    return True, checked, None, None


def label(action):
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


def record_refusal(action, *, assessment=None, detail=None, user=None):
    """Record a refused attempt now, and make sure it outlives the request's own transaction.

    The view may roll back (a form re-shown with its errors, a failed guard) or never commit; the event is
    then written again on its own after the request.
    """
    kwargs = {"assessment": assessment, "outcome": "refused", "detail": detail, "user": user}
    event = record(action, **kwargs)
    if has_request_context():
        g.setdefault("eha_refusals", []).append((event, action, kwargs))
    return event


def init_app(app):
    @app.after_request
    def save_refusals(response):
        refusals = g.pop("eha_refusals", [])
        if refusals and response.status_code < 500:
            unsaved = [(action, kwargs) for event, action, kwargs in refusals if not sa.inspect(event).persistent]
            if unsaved:
                # Whatever the view left uncommitted would be discarded at the end of the request anyway.
                db.session.rollback()
                for action, kwargs in unsaved:
                    record(action, **kwargs)
                db.session.commit()
        return response
