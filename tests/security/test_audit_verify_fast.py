"""``flask audit verify``'s fast path (issue 14, part 4): plain rows checked inline, and on PostgreSQL ranges of the
chain checked in worker processes and joined. Whichever way the chain is checked, an edited, removed, reordered,
swapped or inserted event or link is found and named as the ordered walk names it.

The tamper tests of ``test_audit_chain`` and ``test_audit_trail`` run again here with the workers forced on for
chains of a few events (each worker gets a range of one or two links), so every range boundary is crossed.
"""

import json

import pytest
import sqlalchemy as sa

from eha import audit, audit_fast
from eha.extensions import db
from eha.models.audit import AuditEvent
from tests.conftest import POSTGRES_URL
from tests.security import test_audit_chain, test_audit_trail
from tests.security.audit_tampering import tamper

# The ordered walk's tamper tests, run again with the workers on (below).
test_reordering_linked_events_is_found = test_audit_chain.test_reordering_linked_events_is_found
test_swapping_two_links_events_is_found = test_audit_chain.test_swapping_two_links_events_is_found
test_removing_a_link_in_the_middle_is_found = test_audit_chain.test_removing_a_link_in_the_middle_is_found
test_an_inserted_event_is_found = test_audit_chain.test_an_inserted_event_is_found_whether_or_not_it_is_linked
test_an_edited_event_is_found = test_audit_trail.test_an_edited_event_is_found_and_named_by_audit_verify
test_a_deleted_event_is_found = test_audit_trail.test_a_deleted_event_is_found_by_audit_verify
test_removing_the_latest_links_is_found = (
    test_audit_trail.test_removing_the_latest_events_and_their_links_is_found_by_audit_verify
)


@pytest.fixture(autouse=True)
def workers(app, monkeypatch):
    """Three worker processes for any chain of three links or more (PostgreSQL; SQLite checks in order)."""
    monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
    app.config["EHA_AUDIT_VERIFY_WORKERS"] = 3


def _events(details):
    for detail in details:
        audit.record("case_viewed", detail=detail)
    db.session.commit()
    audit.chain_pending()


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


# Content the fast path must sign byte for byte as ``record`` did: quotes, backslashes, control characters,
# accents and characters beyond the BMP, numbers, nested values, nothing at all.
AWKWARD = [
    {"note": 'say "hi" \\ there', "n": 1},
    {"tab": "a\tb\nc\x00d\x1f", "e": "Zoë Łucja Nguyễn 🙂"},
    {"nested": {"list": [1, 2.5, None, True], "empty": ""}},
    None,
    {"big": 10**20, "neg": -3},
]


def test_awkward_content_verifies_on_the_fast_path(app):
    _events(AWKWARD * 2)
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "10 events checked" in result.output


def test_the_fast_path_signs_the_bytes_the_event_signed(app):
    _events(AWKWARD)
    names = [name for name in audit._FAST_NAMES[4:]]
    rows = db.session.execute(audit._fast_links_query(0)).all()
    events = {e.id: e for e in db.session.scalars(sa.select(AuditEvent))}
    assert len(rows) == len(AWKWARD)
    for row in rows:
        event = events[row[4]]
        assert audit_fast.own_message(tuple(row)) == audit._canonical_own(event)
        assert dict(zip(names, row[4:], strict=True))["detail_json"] == json.dumps(event.detail)


def test_the_encoder_is_the_standard_one():
    standard = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    for value in (['a"b\\c\x01\u2028é🙂', 1, None, -2, 10**30, "", True], [], ["eha"]):
        assert audit_fast.encode(value) == standard(value)
    with pytest.raises(TypeError):
        audit_fast.encode([object()])


def test_an_edit_in_a_later_range_is_named_at_its_event(app):
    _events([{"n": i} for i in range(9)])
    tamper("UPDATE audit_events SET user_name = 'Someone else' WHERE seq = 8")
    result = _verify(app)
    assert result.exit_code == 1
    assert "broken at event 8" in result.output and "content does not match" in result.output


def test_a_link_removed_where_two_ranges_meet_is_found(app):
    _events([{"n": i} for i in range(9)])
    tamper("DELETE FROM audit_links WHERE position IN (3, 4)")
    result = _verify(app)
    assert result.exit_code == 1 and "the link at position 3 is missing" in result.output


def test_the_ranges_split_every_position_once():
    assert audit_fast.ranges(0, 10, 3) == [(0, 4), (4, 8), (8, 10)]
    assert audit_fast.ranges(5, 6, 3) == [(5, 6)]


@pytest.mark.skipif(not POSTGRES_URL, reason="the workers run on PostgreSQL (TEST_DATABASE_URL)")
def test_on_postgresql_the_workers_check_the_chain(app, monkeypatch):
    _events([{"n": i} for i in range(9)])
    calls = []
    real = audit_fast.verify_ranges

    def counted(*args, **kwargs):
        calls.append(kwargs["workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(audit_fast, "verify_ranges", counted)
    result = _verify(app)
    assert result.exit_code == 0 and "9 events checked" in result.output
    assert calls == [3]
