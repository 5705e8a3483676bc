"""Writing, chaining, anchoring and verifying the audit trail, events signed and chained with HMAC-SHA256.

``record`` adds an event to the current transaction, so it commits or rolls back with the change it describes.
It is one INSERT that locks nothing shared: the event takes its order from a sequence and is signed on its own
(an HMAC, under a key that is never in the database, ``EHA_AUDIT_KEY``, of its content and a random nonce).
``chain_pending`` (one chainer at a time; ``flask audit chain``, and after requests without making anyone wait)
then links committed events in order: each link is an HMAC of the event's position, seq and hash and the previous
link's hash, so someone who can write to the database can neither re-sign an event nor reorder, insert or remove
one on the chain unseen. What the key cannot show, the removal of the latest events, a signed checkpoint kept
elsewhere does (``anchor_line`` and ``check_anchors``; ``flask audit anchor`` and ``flask audit verify
--anchor``). docs/operations/audit.md.
"""

import collections
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_login import current_user
from psycopg.rows import namedtuple_row

from config import DEV_AUDIT_KEY, audit_key_list
from eha import audit_fast
from eha.extensions import db
from eha.i18n import N_, translated
from eha.models.audit import AuditChainHead, AuditEvent, AuditLink
from eha.models.base import utcnow
from eha.models.report_facts import note_case_openings

GENESIS_HASH = "0" * 64
ANCHOR_MARK = "eha-audit-anchor"
_ANCHOR = re.compile(
    ANCHOR_MARK + r" v1 seq=(?P<seq>\d+) hash=(?P<hash>[0-9a-f]{64}) at=(?P<at>\S+) key=(?P<key_id>[0-9a-f]{16})"
    r" mac=(?P<mac>[0-9a-f]{64})(?:\s|$)"
)

# What each action means, in words, for history pages: stored and exported in English (marked ``N_``), shown in the
# reader's language by ``label_shown``.
ACTION_LABELS = {
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Failed sign-in"),
    "sign_out": N_("Signed out"),
    "account_locked": N_("Account locked after repeated failed sign-ins"),
    "mfa_enrolled": N_("Set up two-factor sign-in"),
    "mfa_failed": N_("Entered a wrong security code"),
    "mfa_reset": N_("Reset a user's two-factor sign-in"),
    "mfa_reset_requested": N_("Asked for a second-factor reset"),
    "mfa_reset_declined": N_("Declined a second-factor reset"),
    "mfa_reset_refused": N_("Was refused a second-factor reset"),
    "password_reset_requested": N_("Asked for a password reset link"),
    "password_reset": N_("Reset their password"),
    "password_reset_refused": N_("Was refused a password reset"),
    "case_viewed": N_("Viewed the case"),
    "case_refused": N_("Was refused access"),
    "case_created": N_("Started the assessment"),
    "section_viewed": N_("Viewed an assessment section"),
    "section_saved": N_("Saved an assessment section"),
    "consent_recorded": N_("Recorded the family's agreement"),
    "consent_withdrawn": N_("Recorded that the family withdrew agreement"),
    "family_updated": N_("Updated the family's details"),
    "transition": N_("Moved the case on"),
    "closure_requested": N_("Asked a manager to sign off closing the case"),
    "closure_rejected": N_("Sent a closure back to the lead professional"),
    "meeting_scheduled": N_("Scheduled a meeting"),
    "taf_member_removed": N_("Removed someone from the Team Around the Family"),
    "lead_changed": N_("Changed the lead professional"),
    "case_person_added": N_("Added someone without an eha account to the case"),
    "case_person_changed": N_("Changed the details of someone on the case"),
    "case_person_removed": N_("Took someone without an eha account off the case"),
    "meeting_recorded": N_("Recorded a meeting"),
    "plan_viewed": N_("Viewed the plan"),
    "plan_changed": N_("Changed the plan"),
    "plan_signed": N_("Recorded a signature on the plan"),
    "action_updated": N_("Updated progress on an action"),
    "pdf_downloaded": N_("Downloaded a PDF"),
    "history_viewed": N_("Viewed who has seen this record"),
    "export": N_("Exported data"),
    "grant_created": N_("Granted access (duty to share)"),
    "grant_revoked": N_("Ended a duty-to-share grant"),
    "forged_field": N_("Sent a field they may not change"),
    "admin_change": N_("Administrative change"),
    "notifications_chosen": N_("Chose which email summaries to get"),
    "api_request": N_("Used the API"),
    "api_refused": N_("Was refused by the API"),
    "api_token_created": N_("Created an API token"),
    "api_token_revoked": N_("Revoked an API token"),
    "webhook_created": N_("Subscribed a system to case changes"),
    "webhook_revoked": N_("Ended a webhook subscription"),
    "sso_linked": N_("Linked their single sign-on account"),
    "sso_account_created": N_("Was given an account by single sign-on"),
    "notification_settings_changed": N_("Changed the notification settings"),
    "fact_corrected": N_("Corrected a recorded fact"),
    "legal_hold_placed": N_("Placed a legal hold"),
    "legal_hold_lifted": N_("Lifted a legal hold"),
    "case_disposed": N_("Disposed of the case's records"),
    "retention_batch_created": N_("Listed cases due for disposal"),
    "retention_batch_approved": N_("Approved a disposal batch"),
    "retention_batch_cancelled": N_("Cancelled a disposal batch"),
    "retention_batch_finished": N_("Finished a disposal batch"),
    "sar_search": N_("Searched for a subject access request's person"),
    "sar_opened": N_("Opened a subject access request"),
    "sar_viewed": N_("Viewed a subject access request"),
    "sar_redactions_marked": N_("Marked what a subject access copy withholds"),
    "sar_redaction_released": N_("Released a withheld part of a subject access copy"),
    "sar_sent_for_review": N_("Sent a subject access copy for review"),
    "sar_reviewed": N_("Reviewed a subject access copy"),
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
    return hmac.digest(key.encode(), message, "sha256").hex()


_SIGNED = ("user_id", "user_email", "user_name", "user_role", "agency_name", "assessment_id", "case_ref", "action")
_SIGNED += ("outcome", "detail", "ip_address", "key_id")


def _dumps(payload):
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _canonical(event):
    """What an event written before the chainer signed: its content, its seq and the previous event's hash."""
    payload = {name: getattr(event, name) for name in _SIGNED}
    payload["seq"] = event.seq
    payload["occurred_at"] = event.occurred_at.isoformat(timespec="microseconds")
    payload["prev_hash"] = event.prev_hash
    if event.request_id is not None:
        # Only events written since request ids were kept carry one: older events keep their original hash.
        payload["request_id"] = event.request_id
    return _dumps(payload)


def _detail_json(event):
    """The event's detail as the database stores it (the engine's ``json.dumps``); rows read for checking carry
    that text (``detail_json``), so it is signed as stored rather than parsed and dumped again."""
    if hasattr(event, "detail_json"):
        return event.detail_json
    return json.dumps(event.detail)


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _canonical_own(event):
    """What an event signs on its own (since the chainer): its content and nonce, in a fixed order; its place in
    the chain is in its link."""
    return _ENCODE(
        [
            "eha-audit-event v2",
            event.occurred_at.isoformat(timespec="microseconds"),
            event.user_id,
            event.user_email,
            event.user_name,
            event.user_role,
            event.agency_name,
            event.assessment_id,
            event.case_ref,
            event.action,
            event.outcome,
            _detail_json(event),
            event.ip_address,
            event.request_id,
            event.nonce,
            event.key_id,
        ]
    ).encode()


def _self_linked(event):
    """Events written before the chainer carry their link (``prev_hash``) in their own hash."""
    return bool(event.prev_hash)


def compute_hash(event, key):
    """The event's HMAC under ``key``: its content and key id (and, before the chainer, its seq and the previous
    event's hash)."""
    return _mac(key, _canonical(event) if _self_linked(event) else _canonical_own(event))


def _link_message(position, seq, event_hash, prev_hash, key_id):
    return f"eha-audit-link v1 {position} {seq} {event_hash} {prev_hash} {key_id}".encode()


def link_hash(position, seq, event_hash, prev_hash, key_id, key):
    """The HMAC of a link: the event's place in the chain, its seq and hash, and the previous link's hash."""
    return _mac(key, _link_message(position, seq, event_hash, prev_hash, key_id))


# --- writing: one INSERT, nothing locked ---


def _next_seq():
    """The event's order, computed by the INSERT itself: a PostgreSQL sequence (no lock, gaps where a
    transaction rolled back); SQLite has one writer at a time, so the next number is safe to take."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.nextval("audit_events_seq")
    return sa.select(sa.func.coalesce(sa.func.max(AuditEvent.seq), 0) + 1).scalar_subquery()


def record(action, *, assessment=None, outcome="success", detail=None, user=None, email=None):
    """Add an audit event to the current transaction and return it: one INSERT, which waits for no one.

    The event is signed on its own now and linked into the chain shortly after it commits (``chain_pending``).
    """
    if user is None and has_request_context():
        candidate = current_user._get_current_object() if current_user else None
        if candidate is not None and getattr(candidate, "is_authenticated", False):
            user = candidate
    signing_id, keys = keyring()
    event = AuditEvent(
        seq=_next_seq(),
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
        prev_hash="",
        nonce=secrets.token_hex(8),
        key_id=signing_id,
    )
    event.hash = compute_hash(event, keys[signing_id])
    db.session.add(event)
    db.session.flush()  # now, as before: the seq follows the order of calls, and an error shows where it happened
    if has_request_context():
        g.eha_audit_written = True
    return event


# --- chaining: link new events in order, one chainer at a time, no request waiting for it ---

CHAIN_LOCK = 0x6568_6161  # "ehaa": the PostgreSQL advisory lock the chainer holds while it links
# An event is linked once its transaction commits. One whose transaction is still open this long after later
# events were linked is found by ``chain_pending(everything=True)`` (``flask audit chain --all``) and by verify.
LATE_COMMIT = timedelta(minutes=5)


@dataclass
class ChainRun:
    """What one run of the chainer did: ``linked`` events, and the first it refused to link (bad signature)."""

    linked: int = 0
    position: int = 0
    refused: object = None
    problem: str | None = None
    skipped: bool = False


def _event_columns(detail_as_stored=True):
    """The events' columns for a Core select; the detail as the text the database holds, unless asked not to."""
    columns = [column for column in AuditEvent.__table__.c if column.name != "detail" or not detail_as_stored]
    if detail_as_stored:
        columns.append(sa.cast(AuditEvent.__table__.c.detail, sa.Text).label("detail_json"))
    return columns


def _links():
    return AuditLink.__table__


def _take_chainer_lock(wait):
    """True once this transaction is the only chainer; False (without waiting) when another is at work."""
    if db.session.get_bind().dialect.name == "postgresql":
        function = sa.func.pg_advisory_xact_lock if wait else sa.func.pg_try_advisory_xact_lock
        got = db.session.execute(sa.select(function(CHAIN_LOCK))).scalar()
        return wait or bool(got)
    # SQLite: a write that changes nothing takes the database's write lock, so two chainers cannot both link.
    db.session.execute(sa.text("UPDATE audit_chain_head SET seq = seq WHERE 0"))
    return True


def _self_linked_end():
    """The seq of the last event that carries its own link (written before the chainer), or 0."""
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.seq)).where(AuditEvent.prev_hash != "")) or 0


def unlinked_from():
    """The lowest seq an unlinked event can have, short of a transaction open for LATE_COMMIT: the seq of the
    latest linked event older than that (an event's seq is taken as it is written)."""
    cutoff = utcnow() - LATE_COMMIT
    links = _links()
    recent = db.session.scalar(
        sa.select(AuditEvent.seq)
        .join(links, links.c.event_id == AuditEvent.id)
        .where(AuditEvent.occurred_at < cutoff)
        .order_by(links.c.position.desc())
        .limit(1)
    )
    return max(recent or 0, _self_linked_end())


def _unlinked(from_seq, limit=None):
    links = _links()
    query = (
        sa.select(*_event_columns())
        .where(AuditEvent.prev_hash == "", AuditEvent.seq >= from_seq)
        .where(~sa.exists().where(links.c.event_id == AuditEvent.id))
        .order_by(AuditEvent.seq)
    )
    return query.limit(limit) if limit else query


def _own_problem(event, keys):
    key = keys.get(event.key_id)
    if key is None:
        return _unknown_key(event.key_id)
    if not event.nonce or not hmac.compare_digest(compute_hash(event, key), event.hash):
        return "its content does not match its hash"
    return None


def _link_batch(events, run, last_hash, signing):
    """Links for ``events`` after ``run.position``; stops at the first with a bad signature."""
    signing_id, keys = signing
    rows = []
    for event in events:
        problem = _own_problem(event, keys)
        if problem:
            run.refused, run.problem = event, problem
            break
        run.position += 1
        linked = link_hash(run.position, event.seq, event.hash, last_hash, signing_id, keys[signing_id])
        rows.append(
            {
                "position": run.position,
                "event_id": event.id,
                "prev_hash": last_hash,
                "key_id": signing_id,
                "hash": linked,
            }
        )
        last_hash = linked
    return rows, last_hash


def _move_head(head, position, last_hash):
    if head is None:
        db.session.execute(sa.insert(AuditChainHead).values(id=1, seq=position, last_hash=last_hash))
    else:
        db.session.execute(
            sa.update(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .values(seq=position, last_hash=last_hash)
            .execution_options(synchronize_session=False)
        )


def _link_pending(run, head, everything, batch_size):
    signing = keyring()
    last_hash = head.last_hash if head is not None else GENESIS_HASH
    from_seq = 0 if everything else unlinked_from()
    while run.refused is None:
        events = db.session.execute(_unlinked(from_seq, batch_size)).all()
        if not events:
            break
        rows, last_hash = _link_batch(events, run, last_hash, signing)
        if rows:
            db.session.execute(sa.insert(_links()), rows)
            run.linked += len(rows)
            # In the same transaction as their links: the access review reads the linked events' openings from
            # ``case_openings`` and only the unlinked ones from the events.
            note_case_openings(db.session.connection(), events[: len(rows)])
        if len(events) < batch_size:
            break
        from_seq = events[-1].seq
    return last_hash


def chain_pending(*, wait=True, everything=False, batch_size=5000):
    """Link every committed event not yet on the chain, in seq order, and move the head: one transaction.

    Only one chainer runs at a time (an advisory lock on PostgreSQL); with ``wait=False`` this returns at once,
    ``skipped``, when another is at work. Requests never wait for it: they only INSERT events. An event whose
    signature does not match is not linked, nor anything after it (verify names it).
    """
    run = ChainRun()
    try:
        if not _take_chainer_lock(wait):
            db.session.rollback()
            run.skipped = True
            return run
        head = db.session.execute(
            sa.select(AuditChainHead.seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1).with_for_update()
        ).first()
        run.position = head.seq if head is not None else 0
        last_hash = _link_pending(run, head, everything, batch_size)
        if run.linked:
            _move_head(head, run.position, last_hash)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return run


_last_attempt = {"at": 0.0}
_attempt_lock = threading.Lock()


def _chain_after_response(app):
    try:
        with app.app_context():
            run = chain_pending(wait=False)
            if run.problem:
                app.logger.error("audit chain: event %s not linked: %s", run.refused.seq, run.problem)
            db.session.remove()
    except Exception:  # a failed chain run is retried by the next one; the request has already been answered
        app.logger.exception("audit chain: linking after a request failed")


def _maybe_chain(response):
    """After a response that wrote events, link them, at most every EHA_AUDIT_CHAIN_SECONDS per process,
    once the response has been sent (``call_on_close``) and only if no other chainer is at work."""
    every = current_app.config.get("EHA_AUDIT_CHAIN_SECONDS")
    if not every or not g.get("eha_audit_written"):
        return response
    now = time.monotonic()
    with _attempt_lock:
        if now - _last_attempt["at"] < every:
            return response
        _last_attempt["at"] = now
    response.call_on_close(functools.partial(_chain_after_response, current_app._get_current_object()))
    return response


# --- verifying: stream every event, no ORM objects ---


@dataclass
class ChainCheck:
    """What walking the chain found. ``checked`` is the last verified position; ``pending`` the events not yet
    linked whose own signatures verified; ``hashes`` the hash at each position asked for."""

    ok: bool = True
    checked: int = 0
    pending: int = 0
    bad: object = None
    problem: str | None = None
    last_hash: str = GENESIS_HASH
    hashes: dict = field(default_factory=dict)
    started_at: int = 0

    @property
    def events(self):
        return self.checked - self.started_at + self.pending

    def fail(self, bad, problem):
        self.ok, self.bad, self.problem = False, bad, problem
        return self


def _stream(statement, batch_size, plain=False):
    """Rows of ``statement`` in batches through a server-side cursor, never ORM objects (``plain``: tuples). On
    PostgreSQL the Core statement runs on the driver's own binary cursor: a million rows through the result layer
    cost seconds."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        rows = connection.execute(statement, execution_options={"stream_results": True, "yield_per": batch_size})
        yield from (tuple(row) for row in rows) if plain else rows
        return
    compiled = statement.compile(dialect=connection.dialect)
    driver = connection.connection.driver_connection
    if plain:
        yield from audit_fast.stream(driver, str(compiled), compiled.params, batch_size)
        return
    name = f"eha_audit_{secrets.token_hex(4)}"
    with driver.cursor(name=name, binary=True, row_factory=namedtuple_row) as cursor:
        cursor.itersize = batch_size
        cursor.execute(str(compiled), compiled.params)
        yield from cursor


def _self_linked_problem(event, result, keys):
    """What is wrong with a self-linked ``event`` as the next link after ``result``'s last one."""
    expected = result.checked + 1
    if event.seq != expected:
        return f"event {expected} is missing (found {event.seq})"
    if event.prev_hash != result.last_hash:
        return "its previous-hash link does not match the event before it"
    key = keys.get(event.key_id)
    if key is None:
        return _unknown_key(event.key_id)
    if not hmac.compare_digest(compute_hash(event, key), event.hash):
        return "its content does not match its hash"
    return None


def _link_problem(row, result, keys):
    """What is wrong with the link (and its event) in ``row`` as the next after ``result``'s last one."""
    expected = result.checked + 1
    if row.link_position != expected:
        return f"the link at position {expected} is missing (found {row.link_position})"
    if row.link_prev != result.last_hash:
        return f"the link at position {expected} does not follow the one before it"
    if row.id is None:
        return f"event {expected} is missing: its link is there, the event has been removed"
    problem = "it carries a link of its own as well" if _self_linked(row) else _own_problem(row, keys)
    if problem:
        return problem
    key = keys.get(row.link_key)
    if key is None:
        return f"its link {_unknown_key(row.link_key)[3:]}"
    expected_hash = link_hash(expected, row.seq, row.hash, row.link_prev, row.link_key, key)
    if not hmac.compare_digest(expected_hash, row.link_hash):
        return "its place in the chain does not match its link's hash (moved, or its link rewritten)"
    return None


def _walk_self_linked(result, keys, remember, batch_size):
    query = (
        sa.select(*_event_columns(detail_as_stored=False))
        .where(AuditEvent.prev_hash != "", AuditEvent.seq > result.checked)
        .order_by(AuditEvent.seq)
    )
    for event in _stream(query, batch_size):
        problem = _self_linked_problem(event, result, keys)
        if problem:
            return result.fail(event, problem)
        if event.seq in remember:
            result.hashes[event.seq] = event.hash
        result.last_hash, result.checked = event.hash, event.seq
    return None


# The columns of the links query's fast rows (``eha.audit_fast``), in its order: the link, then the event's
# id, seq, own link and hash, then what the event signs, in ``_canonical_own``'s order.
_FAST_NAMES = ("link_position", "link_prev", "link_key", "link_hash", "id", "seq", "prev_hash", "hash",
               "occurred_at", "user_id", "user_email", "user_name", "user_role", "agency_name",
               "assessment_id", "case_ref", "action", "outcome", "detail_json", "ip_address", "request_id",
               "nonce", "key_id")  # fmt: skip
_FastRow = collections.namedtuple("_FastRow", _FAST_NAMES)
# Fewer links than this per worker are checked in this process: forking costs more than it saves.
PARALLEL_FROM = 100_000


def _fast_links_query(after=None, upto=None):
    """The links after position ``after`` (or after ``:low``, up to ``:high``, for a worker), each with its event,
    as ``_FAST_NAMES``."""
    links, events = _links(), AuditEvent.__table__
    columns = [links.c.position, links.c.prev_hash, links.c.key_id, links.c.hash]
    columns += [events.c[name] for name in _FAST_NAMES[4:18]]
    columns += [sa.cast(events.c.detail, sa.Text)] + [events.c[name] for name in _FAST_NAMES[19:]]
    query = sa.select(*columns).select_from(links.outerjoin(events, events.c.id == links.c.event_id))
    if after is None:
        query = query.where(links.c.position > sa.bindparam("low"), links.c.position <= sa.bindparam("high"))
    else:
        query = query.where(links.c.position > after)
    return query.order_by(links.c.position)


def _verify_workers(result, batch_size):
    """How many processes check the links (PostgreSQL, and enough links for each), or 0 for this one alone."""
    workers = current_app.config.get("EHA_AUDIT_VERIFY_WORKERS") or os.cpu_count() or 1
    if workers < 2 or db.session.connection().dialect.name != "postgresql":
        return 0, 0
    end = db.session.scalar(sa.select(sa.func.max(_links().c.position))) or 0
    workers = min(workers, (end - result.checked) // PARALLEL_FROM)
    return (workers, end) if workers >= 2 else (0, 0)


def _walk_in_parallel(result, key_bytes, remember, batch_size):
    """Check the links there are now in worker processes (``eha.audit_fast.verify_ranges``), moving ``result``
    on as far as they verified and joined; the ordered walk goes on from there."""
    workers, end = _verify_workers(result, batch_size)
    if not workers:
        return
    connection = db.session.connection()
    compiled = _fast_links_query().compile(dialect=connection.dialect)
    conninfo = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    start = (result.checked, result.last_hash)
    result.checked, result.last_hash, hashes = audit_fast.verify_ranges(
        conninfo, str(compiled), key_bytes, start, end, workers=workers, remember=remember, batch_size=batch_size
    )
    result.hashes.update(hashes)


def _walk_links(result, keys, remember, batch_size):
    key_bytes = {name: key.encode() for name, key in keys.items()}
    _walk_in_parallel(result, key_bytes, remember, batch_size)
    rows = _stream(_fast_links_query(result.checked), batch_size, plain=True)
    checked, last_hash, bad = audit_fast.walk(
        rows, result.checked, result.last_hash, key_bytes, remember, result.hashes
    )
    result.checked, result.last_hash = checked, last_hash
    if bad is None:
        return None
    row = _FastRow._make(bad)
    problem = _link_problem(row, result, keys) or "it does not verify"
    return result.fail(row if row.id is not None else None, problem)


def _read_head():
    return db.session.execute(
        sa.select(AuditChainHead.seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
    ).first()


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


def _linked_after(position):
    return db.session.scalar(sa.select(sa.exists().where(_links().c.position > position)))


def _walk_unlinked(result, keys, from_seq, batch_size):
    for event in _stream(_unlinked(from_seq), batch_size):
        problem = _own_problem(event, keys)
        if problem:
            return result.fail(event, f"{problem} (it is not linked into the chain yet)")
        result.pending += 1
    return None


def _entry_hash(position):
    """The hash the chain has now at ``position``: its link's, or a self-linked event's."""
    if position == 0:
        return GENESIS_HASH
    found = db.session.scalar(sa.select(_links().c.hash).where(_links().c.position == position))
    if found is None:
        found = db.session.scalar(
            sa.select(AuditEvent.hash).where(AuditEvent.seq == position, AuditEvent.prev_hash != "")
        )
    return found


def check_chain(batch_size=5000, remember=frozenset(), start=None):
    """Walk the chain, checking every link and signature, compare its end with the head, then check the
    signature of every event not yet linked. ``start`` (position, hash), from a checkpoint, skips what is before.
    """
    _, keys = keyring()
    result = ChainCheck()
    if start is not None:
        result.checked = result.started_at = start[0]
        result.last_hash = start[1]
    if 0 in remember:
        result.hashes[0] = GENESIS_HASH
    if _walk_self_linked(result, keys, remember, batch_size):
        return result
    while True:
        if _walk_links(result, keys, remember, batch_size):
            return result
        head = _read_head()  # after the links: a chainer may have moved it on since they were read
        if not (head is not None and head.seq > result.checked and _linked_after(result.checked)):
            break
    problem = _head_problem(head, result)
    if problem:
        return result.fail(None, problem)
    from_seq = unlinked_from() if start is not None else 0
    return _walk_unlinked(result, keys, from_seq, batch_size) or result


def verify(batch_size=5000):
    """Walk the chain. Return (ok, checked_count, first_bad_event, problem)."""
    result = check_chain(batch_size)
    return result.ok, result.events, result.bad, result.problem


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
    """A signed checkpoint of a verified chain's head: position, hash, UTC time and an HMAC over them."""
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


def _checkpoint_problem(checkpoint, chain):
    # Positions before a broken one verified; the broken one and those after it did not.
    if checkpoint.seq > chain.checked:
        if chain.bad is not None or not chain.ok:
            where = f"event {chain.bad.seq}" if chain.bad is not None else f"position {chain.checked + 1}"
            return f"the chain is broken at {where}, before it"
        return (
            f"event {checkpoint.seq} is no longer on the chain, which now ends at event {chain.checked}: "
            "events have been removed"
        )
    if chain.hashes.get(checkpoint.seq) != checkpoint.hash:
        return f"event {checkpoint.seq} has a different hash now: the chain has been rewritten"
    return None


def _check_since(latest, checkpoints, batch_size):
    """Verify from ``latest`` on: its position must still have its hash, then every link after it."""
    if _entry_hash(latest.seq) != latest.hash:
        latest.problem = f"event {latest.seq} has a different hash now: the chain has been rewritten"
        chain = ChainCheck(checked=latest.seq, started_at=latest.seq)
        return AnchorCheck(
            chain.fail(None, f"it has been rewritten at or before event {latest.seq}"), checkpoints, latest
        )
    chain = check_chain(batch_size, start=(latest.seq, latest.hash))
    chain.hashes[latest.seq] = latest.hash
    return AnchorCheck(chain, checkpoints, None)


def check_anchors(lines, batch_size=5000, since_last=False):
    """Check the chain and that every checkpoint in ``lines`` is still on it: the chain verifies up to the
    checkpoint's event and that event still has the checkpoint's hash. ``since_last``: check only the latest
    checkpoint and verify the chain from it on (what was before it was verified when it was anchored)."""
    checkpoints = read_checkpoints(lines)
    sound = [c for c in checkpoints if c.problem is None]
    if since_last and sound and len(sound) == len(checkpoints):
        return _check_since(max(sound, key=lambda c: c.seq), checkpoints, batch_size)
    chain = check_chain(batch_size, remember=frozenset(c.seq for c in sound))
    for checkpoint in sound:
        checkpoint.problem = _checkpoint_problem(checkpoint, chain)
    first_bad = next((c for c in checkpoints if c.problem), None)
    return AnchorCheck(chain, checkpoints, first_bad)


def label(action):
    """The action in words, in English (what exports and the audit trail's own tools show)."""
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


def label_shown(action):
    """The action in words in the page's language (an action eha no longer has reads as its English name)."""
    if action in ACTION_LABELS:
        return translated(ACTION_LABELS[action])
    return label(action)


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
    # Registered first so that it runs last (after_request runs in reverse), after refusals are saved.
    app.after_request(_maybe_chain)
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
