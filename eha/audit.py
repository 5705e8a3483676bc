"""Writing, anchoring and verifying the audit trail, a chain of events signed with HMAC-SHA256.

``record`` adds an event to the current transaction, so it commits or rolls back with the change it describes.
Each event's hash is an HMAC, under a key that is never in the database (``EHA_AUDIT_KEY``), of its content and
the previous event's hash: someone who can write to the database cannot re-sign a rewritten chain. What the key
cannot show, the removal of the latest events, a signed checkpoint kept elsewhere does (``anchor_line`` and
``check_anchors``; ``flask audit anchor`` and ``flask audit verify --anchor``). docs/operations/audit.md.
"""

import functools
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_login import current_user

from config import DEV_AUDIT_KEY, audit_key_list
from eha.extensions import db
from eha.models.audit import AuditChainHead, AuditEvent
from eha.models.base import utcnow

GENESIS_HASH = "0" * 64
ANCHOR_MARK = "eha-audit-anchor"
_ANCHOR = re.compile(
    ANCHOR_MARK + r" v1 seq=(?P<seq>\d+) hash=(?P<hash>[0-9a-f]{64}) at=(?P<at>\S+) key=(?P<key_id>[0-9a-f]{16})"
    r" mac=(?P<mac>[0-9a-f]{64})(?:\s|$)"
)

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
    "lead_changed": "Changed the lead professional",
    "case_person_added": "Added someone without an eha account to the case",
    "case_person_changed": "Changed the details of someone on the case",
    "case_person_removed": "Took someone without an eha account off the case",
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
    "notifications_chosen": "Chose which email summaries to get",
    "api_request": "Used the API",
    "api_refused": "Was refused by the API",
    "api_token_created": "Created an API token",
    "api_token_revoked": "Revoked an API token",
    "webhook_created": "Subscribed a system to case changes",
    "webhook_revoked": "Ended a webhook subscription",
    "sso_linked": "Linked their single sign-on account",
    "sso_account_created": "Was given an account by single sign-on",
}


def _client_ip():
    if has_request_context():
        return (request.remote_addr or "")[:64] or None
    return None


def _request_id():
    return g.get("request_id") if has_request_context() else None


# --- keys ---


def key_id(key):
    """A short name for ``key`` that reveals nothing about it; stored on each event it signs."""
    return hmac.new(key.encode(), b"eha audit key id", hashlib.sha256).hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def _keyring(current, old):
    ring = {key_id(key): key for key in old}
    ring[key_id(current)] = current
    return key_id(current), ring


def keyring():
    """Return (the current key's id, {key id: key}) for the current key and the old ones in EHA_AUDIT_KEYS."""
    current = current_app.config.get("EHA_AUDIT_KEY")
    if not current:
        raise RuntimeError("EHA_AUDIT_KEY is not set: the audit trail cannot be signed or verified")
    return _keyring(current, audit_key_list(current_app.config.get("EHA_AUDIT_KEYS")))


def _unknown_key(name):
    return f"it is signed with key {name}, which is not configured (neither EHA_AUDIT_KEY nor in EHA_AUDIT_KEYS)"


def _mac(key, message):
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


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
        "key_id": event.key_id,
    }
    if event.request_id is not None:
        # Only events written since request ids were kept carry one: older events keep their original hash.
        payload["request_id"] = event.request_id
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def compute_hash(event, key):
    """The event's HMAC under ``key``: its content, its key id and the previous event's hash."""
    return _mac(key, _canonical(event))


# --- writing ---


def _lock_chain_head():
    """Lock the chain head until the transaction ends and return its (seq, last_hash), or None when empty."""
    if db.session.get_bind().dialect.name == "sqlite":
        # No row locks, and this SELECT would run outside any write transaction: a write that changes nothing
        # takes the database's write lock first, so two writers cannot both read the same head.
        db.session.execute(sa.text("UPDATE audit_chain_head SET seq = seq WHERE 0"))
    return db.session.execute(
        sa.select(AuditChainHead.seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1).with_for_update()
    ).first()


def record(action, *, assessment=None, outcome="success", detail=None, user=None, email=None):
    """Add an audit event to the current transaction and return it."""
    if user is None and has_request_context():
        candidate = current_user._get_current_object() if current_user else None
        if candidate is not None and getattr(candidate, "is_authenticated", False):
            user = candidate
    head = _lock_chain_head()
    seq, prev_hash = (head.seq + 1, head.last_hash) if head is not None else (1, GENESIS_HASH)
    signing_id, keys = keyring()
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
        request_id=_request_id(),
        prev_hash=prev_hash,
        key_id=signing_id,
    )
    event.hash = compute_hash(event, keys[signing_id])
    db.session.add(event)
    # One statement moves the head to this event: the database refuses any other move. The ORM statement flushes
    # the event first, which the trigger looks for.
    if head is None:
        db.session.execute(sa.insert(AuditChainHead).values(id=1, seq=seq, last_hash=event.hash))
    else:
        db.session.execute(
            sa.update(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .values(seq=seq, last_hash=event.hash)
            .execution_options(synchronize_session=False)
        )
    return event


# --- verifying ---


@dataclass
class ChainCheck:
    """What walking the chain found. ``hashes`` holds the hash of each event asked for that verified."""

    ok: bool = True
    checked: int = 0
    bad: AuditEvent | None = None
    problem: str | None = None
    last_hash: str = GENESIS_HASH
    hashes: dict = field(default_factory=dict)

    def fail(self, bad, problem):
        self.ok, self.bad, self.problem = False, bad, problem
        return self


def _read_head():
    return db.session.execute(
        sa.select(AuditChainHead.seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
    ).first()


def _any_event_after(seq):
    return db.session.scalar(sa.select(sa.exists().where(AuditEvent.seq > seq)))


def _event_problem(event, result, keys):
    """What is wrong with ``event`` as the next link after ``result``'s last one (None when it is sound)."""
    expected_seq = result.checked + 1
    if event.seq != expected_seq:
        return f"event {expected_seq} is missing (found {event.seq})"
    if event.prev_hash != result.last_hash:
        return "its previous-hash link does not match the event before it"
    key = keys.get(event.key_id)
    if key is None:
        return _unknown_key(event.key_id)
    if not hmac.compare_digest(compute_hash(event, key), event.hash):
        return "its content does not match its hash"
    return None


def _head_problem(head, result):
    if head is None:
        return None
    if head.seq > result.checked:
        return "the chain ends early: events after the last one have been removed"
    if head.seq < result.checked:
        return f"the chain head has been moved back to event {head.seq}"
    if head.last_hash != result.last_hash:
        return "the chain head does not match the last event"
    return None


def _next_batch(result, batch_size):
    """The next events after the last checked one; ``(events, head)``, the head read once the events run out."""
    while True:
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq > result.checked).order_by(AuditEvent.seq).limit(batch_size)
        ).all()
        if events:
            return events, None
        head = _read_head()
        if head is not None and head.seq > result.checked and _any_event_after(result.checked):
            continue  # written since the last batch (the head is read after the events): read on
        return [], head


def check_chain(batch_size=1000, remember=frozenset()):
    """Walk the chain from the first event, checking each link and signature, and compare it with the head."""
    _, keys = keyring()
    result = ChainCheck()
    if 0 in remember:
        result.hashes[0] = GENESIS_HASH
    while True:
        events, head = _next_batch(result, batch_size)
        if not events:
            break
        for event in events:
            problem = _event_problem(event, result, keys)
            if problem:
                return result.fail(event, problem)
            if event.seq in remember:
                result.hashes[event.seq] = event.hash
            result.last_hash = event.hash
            result.checked = event.seq
        db.session.expunge_all()
    problem = _head_problem(head, result)
    return result.fail(None, problem) if problem else result


def verify(batch_size=1000):
    """Walk the chain. Return (ok, checked_count, first_bad_event, problem)."""
    result = check_chain(batch_size)
    return result.ok, result.checked, result.bad, result.problem


# --- anchoring: checkpoints of the head, kept outside the database ---


@dataclass
class Checkpoint:
    line_number: int
    seq: int | None = None
    hash: str | None = None
    at: str | None = None
    problem: str | None = None

    def describe(self, source):
        where = f"line {self.line_number} of {source}"
        if self.seq is None:
            return f"Checkpoint on {where}"
        return f"Checkpoint on {where} (event {self.seq}, anchored {self.at})"


def _timestamp(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def anchor_line(chain, now=None):
    """A signed checkpoint of a verified chain's head: sequence, hash, UTC time and an HMAC over them."""
    signing_id, keys = keyring()
    text = f"{ANCHOR_MARK} v1 seq={chain.checked} hash={chain.last_hash} at={_timestamp(now or datetime.now(UTC))}"
    text += f" key={signing_id}"
    return f"{text} mac={_mac(keys[signing_id], text.encode())}"


def read_checkpoints(lines):
    """Parse the checkpoints in ``lines`` (other lines, such as a syslog file's, are skipped) and check each
    one's signature. Returns a Checkpoint per line that carries the mark, with ``problem`` set if it is bad."""
    _, keys = keyring()
    checkpoints = []
    for number, line in enumerate(lines, start=1):
        if ANCHOR_MARK not in line:
            continue
        match = _ANCHOR.search(line)
        if match is None:
            checkpoints.append(Checkpoint(number, problem="it is not a checkpoint eha can read"))
            continue
        checkpoint = Checkpoint(number, seq=int(match["seq"]), hash=match["hash"], at=match["at"])
        key = keys.get(match["key_id"])
        signed = line[match.start() : match.start("mac") - len(" mac=")]
        if key is None:
            checkpoint.problem = _unknown_key(match["key_id"])
        elif not hmac.compare_digest(_mac(key, signed.encode()), match["mac"]):
            checkpoint.problem = "its signature does not match: the line has been altered, or was not written by eha"
        checkpoints.append(checkpoint)
    return checkpoints


@dataclass
class AnchorCheck:
    chain: ChainCheck
    checkpoints: list
    first_bad: Checkpoint | None


def check_anchors(lines, batch_size=1000):
    """Check the chain and that every checkpoint in ``lines`` is still on it: the chain verifies up to the
    checkpoint's event and that event still has the checkpoint's hash."""
    checkpoints = read_checkpoints(lines)
    chain = check_chain(batch_size, remember=frozenset(c.seq for c in checkpoints if c.seq is not None))
    # Events before a broken one verified; the broken one and those after it did not.
    verified_to = chain.checked
    for checkpoint in checkpoints:
        if checkpoint.problem:
            continue
        if checkpoint.seq > verified_to:
            if chain.bad is not None:
                checkpoint.problem = f"the chain is broken at event {chain.bad.seq}, before it"
            else:
                checkpoint.problem = (
                    f"event {checkpoint.seq} is no longer on the chain, which now ends at event {verified_to}: "
                    "events have been removed"
                )
        elif chain.hashes.get(checkpoint.seq) != checkpoint.hash:
            checkpoint.problem = f"event {checkpoint.seq} has a different hash now: the chain has been rewritten"
    first_bad = next((c for c in checkpoints if c.problem), None)
    return AnchorCheck(chain, checkpoints, first_bad)


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
    if app.config.get("EHA_AUDIT_KEY") == DEV_AUDIT_KEY:
        app.logger.warning(
            "The audit trail is signed with the public development key (EHA_AUDIT_KEY is not set): "
            "it shows mistakes, not tampering. Production refuses this key."
        )

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
