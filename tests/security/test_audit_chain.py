"""The audit trail off the hot path (issue 14, part 4): a case view writes one INSERT and takes no lock shared with
other cases; the chainer links events afterwards, in order, one chainer at a time; tampering is still found.

The race tests use real threads, on PostgreSQL too (TEST_DATABASE_URL).
"""

import hashlib
import hmac
import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from eha import audit
from eha.extensions import db
from eha.models.audit import AuditChainHead, AuditEvent, AuditLink
from eha.models.base import utcnow
from eha.transaction import committing
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.plans import helpers
from tests.security.audit_tampering import tamper

postgres_only = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): its locks")


def _events(n, **detail):
    for i in range(n):
        audit.record("case_viewed", detail={"n": i, **detail})
    db.session.commit()


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def _chain_order():
    """(writer, n) of every event in the order of its link."""
    rows = db.session.execute(
        sa.select(AuditEvent.detail).join(AuditLink, AuditLink.event_id == AuditEvent.id).order_by(AuditLink.position)
    ).scalars()
    return [(d.get("writer"), d.get("n")) for d in rows]


def _run(threads):
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)


# --- one statement per view, no shared lock ---


def _statements_of(run):
    statements = []

    def executed(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", executed)
    try:
        response = run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", executed)
    return response, statements


def test_a_case_view_writes_one_audit_statement_and_does_not_touch_the_chain_head(app, client, signed_in):
    lead = factories.user(name="Lena Lead")
    case = helpers.assessed_case(lead)
    signed_in(lead)
    client.get(f"/assessments/{case.ref}")  # warm up

    response, statements = _statements_of(lambda: client.get(f"/assessments/{case.ref}"))

    assert response.status_code == 200
    writing = [s for s in statements if s.split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")]
    assert len(writing) == 1, writing  # it was three: lock the head, insert the event, move the head
    assert writing[0].startswith("INSERT INTO audit_events")
    assert not any("audit_chain_head" in s or "FOR UPDATE" in s for s in statements)


@postgres_only
def test_a_case_view_does_not_wait_for_a_chainer_holding_the_head(app, client, signed_in):
    """A chainer at work (the head row locked, the chainer's lock held) does not hold up anyone viewing a case."""
    lead = factories.user(name="Lena Lead")
    case = helpers.assessed_case(lead)
    signed_in(lead)
    url = f"/assessments/{case.ref}"
    answers = []
    with db.engine.connect() as chainer:
        chainer.execute(sa.select(sa.func.pg_advisory_xact_lock(audit.CHAIN_LOCK)))
        chainer.execute(sa.text("SELECT * FROM audit_chain_head FOR UPDATE"))

        def look():
            try:
                answers.append(client.get(url).status_code)
            except Exception as exc:
                answers.append(repr(exc))

        view = threading.Thread(target=look)
        _run([view])
        chainer.rollback()
    assert answers == [200]
    assert audit.chain_pending(wait=False).skipped is False


# --- many writers and chainers at once ---


def test_many_writers_and_chainers_at_once_lose_no_event_and_link_each_once_in_order(app):
    _events(1)
    audit.chain_pending()
    writers, each = 6, 8
    barrier = threading.Barrier(writers + 2)
    errors = []

    def write(w):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for n in range(each):
                    with committing():
                        audit.record("case_viewed", detail={"writer": w, "n": n})
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    def chain():
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for _ in range(each):
                    audit.chain_pending(wait=False)
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    threads += [threading.Thread(target=chain) for _ in range(2)]
    _run(threads)
    assert errors == []
    audit.chain_pending()

    order = _chain_order()
    assert len(order) == 1 + writers * each
    assert len(set(order)) == len(order)  # each event linked once
    for w in range(writers):  # each writer's events in the order it wrote them
        assert [n for writer, n in order if writer == w] == list(range(each))
    positions = db.session.scalars(sa.select(AuditLink.position).order_by(AuditLink.position)).all()
    assert positions == list(range(1, len(order) + 1))
    assert db.session.get(AuditChainHead, 1).seq == len(order)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert f"{len(order)} events checked." in result.output


def _signed_row(**detail):
    """An event's columns as ``audit.record`` would write them."""
    signing_id, keys = audit.keyring()
    row = SimpleNamespace(
        occurred_at=utcnow(), user_id=None, user_email=None, user_name=None, user_role=None, agency_name=None,
        assessment_id=None, case_ref=None, action="case_viewed", outcome="success", detail=detail, ip_address=None,
        request_id=None, prev_hash="", nonce="0123456789abcdef", key_id=signing_id,
    )  # fmt: skip
    row.hash = audit.compute_hash(row, keys[signing_id])
    return vars(row)


@postgres_only
def test_an_event_committed_after_later_ones_were_linked_is_linked_after_them(app):
    """A transaction that wrote its event first (a lower seq) but commits last: the chainer links it then."""
    with db.engine.connect() as slow:
        slow.execute(
            sa.insert(AuditEvent.__table__).values(seq=sa.func.nextval("audit_events_seq"), **_signed_row(late=True))
        )
        _events(3)
        assert audit.chain_pending().linked == 3
        slow.commit()
    run = audit.chain_pending()
    assert run.linked == 1 and run.position == 4
    last = db.session.execute(
        sa.select(AuditEvent.seq, AuditEvent.detail)
        .join(AuditLink, AuditLink.event_id == AuditEvent.id)
        .order_by(AuditLink.position.desc())
    ).first()
    assert last.detail == {"late": True} and last.seq == 1
    assert _verify(app).exit_code == 0


# --- the chainer and what it refuses ---


def test_flask_audit_chain_links_what_was_written_since(app):
    _events(3)
    result = app.test_cli_runner().invoke(args=["audit", "chain"])
    assert result.exit_code == 0, result.output
    assert "Linked 3 events: the chain now ends at event 3." in result.output
    again = app.test_cli_runner().invoke(args=["audit", "chain"])
    assert "Linked 0 events" in again.output


def test_verify_checks_events_not_yet_linked_and_says_so(app):
    _events(2)
    audit.chain_pending()
    _events(3)
    result = _verify(app)
    assert result.exit_code == 0
    assert "5 events checked. (3 not linked into the chain yet" in result.output


def test_an_edited_event_not_yet_linked_is_found_and_the_chainer_will_not_link_it(app):
    _events(2)
    audit.chain_pending()
    _events(2)
    tamper("UPDATE audit_events SET user_email = 'someone.else@example.org' WHERE seq = 3")

    result = _verify(app)
    assert result.exit_code == 1
    assert "broken at event 3" in result.output and "not linked into the chain yet" in result.output
    chained = app.test_cli_runner().invoke(args=["audit", "chain"])
    assert chained.exit_code == 1 and "Not linked: event 3" in chained.output
    assert db.session.get(AuditChainHead, 1).seq == 2


def test_an_inserted_event_is_found_whether_or_not_it_is_linked(app):
    """Someone without the key writes an event of their own (a copy of a real one, made to say something else)."""
    _events(3)
    audit.chain_pending()
    guessed = "a-guess-at-the-audit-key-0000000000000000000"
    real = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == 2)).one()
    forged = {c.name: getattr(real, c.name) for c in AuditEvent.__table__.c if c.name not in ("id", "seq")}
    forged.update(seq=4, detail={"n": 99}, nonce="feedfacefeedface")
    forged["hash"] = hmac.new(guessed.encode(), b"anything", hashlib.sha256).hexdigest()
    db.session.expunge_all()
    tamper(
        (
            "INSERT INTO audit_events (" + ", ".join(forged) + ") VALUES (" + ", ".join(f":{k}" for k in forged) + ")",
            {**forged, "detail": '{"n": 99}'},
        )
    )
    assert _verify(app).exit_code == 1
    # Linked by hand at the end of the chain, with a link signed by the guessed key: found too.
    head = db.session.get(AuditChainHead, 1)
    event_id = db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.seq == 4))
    link = audit._mac(guessed, audit._link_message(4, 4, forged["hash"], head.last_hash, head.last_hash[:16]))
    tamper(
        (
            "INSERT INTO audit_links (position, event_id, prev_hash, key_id, hash) VALUES (4, :e, :p, :k, :h)",
            {"e": event_id, "p": head.last_hash, "k": audit.keyring()[0], "h": link},
        ),
        ("UPDATE audit_chain_head SET seq = 4, last_hash = :h", {"h": link}),
    )
    result = _verify(app)
    assert result.exit_code == 1 and "broken at event 4" in result.output


def test_reordering_linked_events_is_found(app):
    _events(4)
    audit.chain_pending()
    tamper(
        "UPDATE audit_events SET seq = -2 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = -2",
    )
    result = _verify(app)
    assert result.exit_code == 1
    assert "its place in the chain does not match its link's hash" in result.output


def test_swapping_two_links_events_is_found(app):
    _events(4)
    audit.chain_pending()
    tamper(
        "UPDATE audit_links SET event_id = -1 WHERE position = 2",
        "UPDATE audit_links SET event_id = (SELECT id FROM audit_events WHERE seq = 2) WHERE position = 3",
        "UPDATE audit_links SET event_id = (SELECT id FROM audit_events WHERE seq = 3) WHERE position = 2",
    )
    result = _verify(app)
    assert result.exit_code == 1 and "broken at event 3" in result.output


def test_removing_a_link_in_the_middle_is_found(app):
    _events(4)
    audit.chain_pending()
    tamper("DELETE FROM audit_links WHERE position = 2")
    result = _verify(app)
    assert result.exit_code == 1 and "the link at position 2 is missing" in result.output


# --- verify from the last checkpoint ---


def _anchor(app, path):
    result = app.test_cli_runner().invoke(args=["audit", "anchor", "--output", str(path)])
    assert result.exit_code == 0, result.output


def test_verify_since_the_last_checkpoint_checks_only_what_came_after_it(app, tmp_path):
    anchors = tmp_path / "anchors.log"
    _events(3)
    _anchor(app, anchors)
    _events(4)
    _anchor(app, anchors)
    _events(2)
    audit.chain_pending()

    result = _verify(app, "--anchor", str(anchors), "--since-anchor")
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 2 events checked after checkpoint event 7." in result.output
    assert "The latest checkpoint in" in result.output and "(event 7," in result.output


def test_verify_since_the_last_checkpoint_finds_tampering_after_it_and_a_rewrite_of_it(app, tmp_path):
    anchors = tmp_path / "anchors.log"
    _events(3)
    _anchor(app, anchors)
    _events(3)
    audit.chain_pending()
    tamper("UPDATE audit_events SET user_email = 'someone.else@example.org' WHERE seq = 5")
    result = _verify(app, "--anchor", str(anchors), "--since-anchor")
    assert result.exit_code == 1 and "broken at event 5" in result.output

    key = app.config["EHA_AUDIT_KEY"]
    tamper(
        ("UPDATE audit_links SET hash = :h WHERE position = 3", {"h": audit._mac(key, b"rewritten")}),
    )
    result = _verify(app, "--anchor", str(anchors), "--since-anchor")
    assert result.exit_code == 1
    assert "event 3 has a different hash now: the chain has been rewritten" in result.output


def test_since_anchor_needs_the_anchor_file(app):
    result = _verify(app, "--since-anchor")
    assert result.exit_code == 2 and "--since-anchor needs --anchor FILE" in result.output


# --- linking after requests ---


@pytest.mark.parametrize("app_settings", [{"EHA_AUDIT_CHAIN_SECONDS": 1}])
def test_events_a_request_wrote_are_linked_once_its_response_is_sent(app, client, signed_in):
    lead = factories.user(name="Lena Lead")
    case = helpers.assessed_case(lead)
    audit._last_attempt["at"] = 0.0
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}")
    assert response.status_code == 200
    response.close()  # as the server does once it has sent the response
    db.session.expire_all()
    unlinked = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(~sa.exists().where(AuditLink.event_id == AuditEvent.id), AuditEvent.prev_hash == "")
    )
    assert unlinked == 0
    viewed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case_viewed")).one()
    assert db.session.scalar(sa.select(AuditLink.position).where(AuditLink.event_id == viewed.id)) is not None
