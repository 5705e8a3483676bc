"""The access review's "cases opened in the last 90 days": the distinct cases each person opened, whether the
chainer has linked their opening events yet or not (issue 14: counted from ``case_openings``, not a quarter of
audit events)."""

from datetime import timedelta

import sqlalchemy as sa
import time_machine
from lxml import html

from eha import audit
from eha.extensions import db
from eha.models.base import utcnow
from eha.models.report_facts import CaseOpening
from tests import factories
from tests.assessments import helpers


def _opened(client, manager, who):
    factories.sign_in(client, manager)
    page = html.fromstring(client.get("/reports/access-review").get_data(as_text=True))
    rows = page.xpath(f"//tr[.//span[normalize-space()='{who.email}']]")
    assert len(rows) == 1
    return int(rows[0].xpath("string(./td[last()])").strip())


def _open(client, user, url):
    factories.sign_in(client, user)
    assert client.get(url).status_code == 200


def test_each_case_a_person_opens_counts_once_linked_or_not(app, client, practitioner, manager):
    first, second, unseen = helpers.case(practitioner), helpers.case(practitioner), helpers.case(manager)
    for url in (f"/assessments/{first.ref}", f"/assessments/{first.ref}/history", f"/assessments/{second.ref}"):
        _open(client, practitioner, url)
    factories.sign_in(client, practitioner)
    assert client.get(f"/assessments/{unseen.ref}").status_code == 404  # refused: not an opening
    assert _opened(client, manager, practitioner) == 2  # not linked yet: read from the events
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseOpening)) == 0

    audit.chain_pending()
    pairs = db.session.execute(sa.select(CaseOpening.user_id, CaseOpening.assessment_id)).all()
    assert {(practitioner.id, first.id), (practitioner.id, second.id)} <= set(pairs)
    assert _opened(client, manager, practitioner) == 2  # linked: read from case_openings

    _open(client, practitioner, f"/assessments/{first.ref}/plan")  # again, after the chainer: still one case
    assert _opened(client, manager, practitioner) == 2
    audit.chain_pending()
    assert _opened(client, manager, practitioner) == 2


def test_an_opening_older_than_the_window_no_longer_counts(app, client, practitioner, manager):
    old, recent = helpers.case(practitioner), helpers.case(practitioner)
    _open(client, practitioner, f"/assessments/{old.ref}")
    audit.chain_pending()
    with time_machine.travel(utcnow() + timedelta(days=60), tick=False):
        _open(client, practitioner, f"/assessments/{recent.ref}")
        audit.chain_pending()
    with time_machine.travel(utcnow() + timedelta(days=100), tick=False):
        assert _opened(client, manager, practitioner) == 1  # the first opening is 100 days old
    with time_machine.travel(utcnow() + timedelta(days=155), tick=False):
        assert _opened(client, manager, practitioner) == 0


def test_linked_openings_are_counted_from_the_kept_pairs(app, client, practitioner, manager):
    # Once the chainer has linked the events, the review reads case_openings, not the events themselves.
    first, second = helpers.case(practitioner), helpers.case(practitioner)
    for case in (first, second):
        _open(client, practitioner, f"/assessments/{case.ref}")
    audit.chain_pending()
    db.session.execute(sa.delete(CaseOpening).where(CaseOpening.assessment_id == second.id))
    db.session.commit()
    assert _opened(client, manager, practitioner) == 1


def test_migration_0032_fills_the_pairs_as_the_chainer_writes_them(scratch_url):
    """Openings chained by the application, the table dropped (down to 0031) and filled again by the migration."""
    from flask_migrate import downgrade, upgrade

    from eha import create_app
    from tests.conftest import _forget_stored_definitions

    def pairs():
        with db.engine.connect() as conn:
            query = "SELECT user_id, assessment_id, last_opened_at FROM case_openings ORDER BY 1, 2"
            return [tuple(r) for r in conn.execute(sa.text(query))]

    _forget_stored_definitions()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade()
        practitioner = factories.user()
        first, second = helpers.case(practitioner), helpers.case(practitioner)
        client = app.test_client()
        for url in (f"/assessments/{first.ref}", f"/assessments/{second.ref}", f"/assessments/{first.ref}/plan"):
            _open(client, practitioner, url)
        audit.chain_pending()
        written = pairs()
        assert [(u, a) for u, a, _ in written] == [(practitioner.id, first.id), (practitioner.id, second.id)]
        db.session.remove()
        downgrade(revision="0031_lists")
        with db.engine.connect() as conn:
            assert "case_openings" not in sa.inspect(conn).get_table_names()
        upgrade()
        assert pairs() == written
        db.session.remove()
        db.engine.dispose()
