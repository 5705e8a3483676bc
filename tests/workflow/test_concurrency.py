"""Two people pressing the same step at once: exactly one wins, the other is told why (PostgreSQL)."""

import threading

import pytest

from eha.demo import cases as build
from eha.errors import DomainError
from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.users import User
from eha.transaction import committing
from eha.workflow.engine import fire
from tests.conftest import POSTGRES_URL
from tests.workflow.helpers import state_in_db, team, transition_events

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has no row locks to race on"
)


def _race(app, case_id, presses):
    """Each of ``presses`` (user id, trigger, data) in its own thread, session and connection, all at once."""
    barrier = threading.Barrier(len(presses))
    results = [None] * len(presses)

    def press(index, user_id, trigger, data):
        with app.app_context():
            try:
                case = db.session.get(Assessment, case_id)
                user = db.session.get(User, user_id)
                barrier.wait(timeout=10)
                with committing():
                    fire(case, trigger, user, **data)
                results[index] = "won"
            except DomainError as exc:
                results[index] = str(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press, args=(i, *p)) for i, p in enumerate(presses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
def test_two_people_completing_the_assessment_at_once_one_wins_the_other_is_told(app):
    lead, nurse, manager = team(app)
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency])
    results = _race(app, case.id, [(lead.id, "complete_assessment", {}), (manager.id, "complete_assessment", {})])
    assert results.count("won") == 1
    loser = next(message for message in results if message != "won")
    assert loser == "You cannot complete the assessment now: the case is 'Assessed'."
    assert state_in_db(case) == "assessed"
    assert len(transition_events(case)) == 1


@pytest.mark.postgres
def test_closing_and_stepping_up_at_once_closes_the_case_once(app):
    from datetime import date

    lead, nurse, manager = team(app)
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency])
    outcomes = _race(
        app,
        case.id,
        [
            (manager.id, "close", {"reason": "created_in_error"}),
            (lead.id, "step_up", {"on": date.today(), "team": "MASH", "reason": "Harm"}),
        ],
    )
    assert outcomes.count("won") == 1
    assert any(o.startswith("This case is closed") for o in outcomes if o != "won"), outcomes
    assert len(transition_events(case)) == 1
