"""Two uses of one password link, or two decisions on one reset request, at the same moment (PostgreSQL)."""

import threading

import pytest
import sqlalchemy as sa

from eha.auth import recovery
from eha.auth.passwords import verify_password
from eha.errors import DomainError
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.users import MfaResetRequest, User
from eha.services import mfa_resets
from eha.transaction import committing
from tests import factories
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has no row locks to race on"
)


def _race(app, actions):
    """Run each action in its own thread, session and connection, all at once; return what each said."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                with committing():
                    action()
                results[index] = "won"
            except (recovery.LinkProblem, DomainError) as exc:
                results[index] = getattr(exc, "reason", None) or exc.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
def test_one_link_used_twice_at_once_sets_one_password(app, practitioner):
    with committing():
        token, _link = recovery.issue(practitioner)
    user_id = practitioner.id
    passwords = ["first four words here", "second four words here"]
    results = _race(app, [lambda p=p: recovery.choose_password(token, p) for p in passwords])
    assert sorted(results) == ["used", "won"]
    winner = passwords[results.index("won")]
    db.session.expire_all()
    assert verify_password(db.session.get(User, user_id).password_hash, winner)


@pytest.mark.postgres
def test_approve_and_decline_at_once_one_decision_stands(app, practitioner, admin):
    practitioner.totp_secret, practitioner.totp_enrolled_at = "A" * 32, utcnow()
    db.session.commit()
    # Ids, not objects: an object of this thread's session must not be touched from the racing threads.
    first = factories.user(role="manager", agency=practitioner.agency).id
    second = factories.user(role="manager", agency=practitioner.agency).id
    with committing():
        reset_id = mfa_resets.request_reset(admin, practitioner, "New phone").id

    def decide(manager_id, decision):
        manager = db.session.get(User, manager_id)
        reset = db.session.get(MfaResetRequest, reset_id)
        getattr(mfa_resets, decision)(manager, reset)

    results = _race(app, [lambda: decide(first, "approve"), lambda: decide(second, "decline")])
    assert results.count("won") == 1
    assert next(r for r in results if r != "won") in (
        "Someone else has just decided this request",
        "This request has already been approved",
        "This request has already been declined",
    )
    db.session.expire_all()
    reset = db.session.get(MfaResetRequest, reset_id)
    cleared = db.session.get(User, practitioner.id).totp_secret is None
    assert (reset.status == "approved") == cleared
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MfaResetRequest)) == 1
