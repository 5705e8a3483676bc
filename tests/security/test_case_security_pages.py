"""Duty-to-share grants, the case history page, the access review and the reports landing page."""

from datetime import date, timedelta

import sqlalchemy as sa

from eha import access
from eha.extensions import db
from eha.models.assessments import AccessGrant
from eha.models.audit import AuditEvent
from tests import factories


def _date_fields(day):
    return {"ends_on": [str(day.day), str(day.month), str(day.year)]}


def _last_event():
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc())).first()


def test_a_manager_grants_a_named_practitioner_access_with_a_reason_and_end_date(client, world):
    newcomer = world.users["unrelated"]
    factories.sign_in(client, world.users["manager"])
    assert client.get(f"/assessments/{world.case.ref}/access").status_code == 200
    response = client.post(
        f"/assessments/{world.case.ref}/access",
        data={
            "user": str(newcomer.id),
            "reason": "Strategy discussion: the school nurse must see the plan",
            **_date_fields(date.today() + timedelta(days=14)),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert access.can_see(newcomer, world.case)
    event = _last_event()
    assert (event.action, event.case_ref, event.detail["to_user_id"]) == ("grant_created", world.case.ref, newcomer.id)
    other = client.application.test_client()
    factories.sign_in(other, newcomer)
    assert other.get(f"/assessments/{world.case.ref}/history").status_code == 403  # sees the case, not its history


def test_a_grant_needs_a_reason_and_a_future_end_date_within_90_days(client, world):
    factories.sign_in(client, world.users["manager"])
    url = f"/assessments/{world.case.ref}/access"
    empty = client.post(url, data={})
    assert empty.status_code == 200 and "<title>Error:" in empty.text
    for message in ("Select the practitioner", "Enter why they need access", "Enter the date access ends"):
        assert message in empty.text
    base = {"user": str(world.users["unrelated"].id), "reason": "Needed"}
    past = client.post(url, data={**base, **_date_fields(date.today())})
    assert "End date must be in the future" in past.text
    far = client.post(url, data={**base, **_date_fields(date.today() + timedelta(days=91))})
    assert "within 90 days" in far.text
    nonsense = client.post(url, data={**base, "ends_on": ["31", "2", "2027"]})
    assert "must be a real date" in nonsense.text
    admin_target = client.post(
        url, data={**base, "user": str(world.users["admin"].id), **_date_fields(date.today() + timedelta(days=5))}
    )
    assert "Select the practitioner" in admin_target.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccessGrant)) == 1


def test_revoking_a_grant_ends_access_on_the_next_request(app, client, world):
    grantee = world.users["grantee"]
    theirs = app.test_client()
    factories.sign_in(theirs, grantee)
    assert theirs.get(f"/assessments/{world.case.ref}").status_code == 200
    factories.sign_in(client, world.users["manager"])
    response = client.post(f"/assessments/{world.case.ref}/access/revoke", data={"grant_id": world.grant.id})
    assert response.status_code == 302
    assert theirs.get(f"/assessments/{world.case.ref}").status_code == 404
    assert _last_event().action == "case_refused"
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "grant_revoked")) is not None


def test_a_grant_of_another_case_cannot_be_revoked_through_this_one(client, world):
    other_grant = AccessGrant(
        assessment_id=world.other_case.id,
        user_id=world.users["unrelated"].id,
        granted_by_id=world.users["manager"].id,
        reason="x",
        ends_on=date.today() + timedelta(days=3),
    )
    db.session.add(other_grant)
    db.session.commit()
    factories.sign_in(client, world.users["manager"])
    response = client.post(f"/assessments/{world.case.ref}/access/revoke", data={"grant_id": other_grant.id})
    assert response.status_code == 404
    db.session.refresh(other_grant)
    assert other_grant.revoked_at is None


def test_an_expired_grant_gives_no_access(client, world):
    world.grant.ends_on = date.today() - timedelta(days=1)
    db.session.commit()
    factories.sign_in(client, world.users["grantee"])
    assert client.get(f"/assessments/{world.case.ref}").status_code == 404


def test_the_grants_review_lists_active_grants_first(client, world):
    ended = AccessGrant(
        assessment_id=world.case.id,
        user_id=world.users["unrelated"].id,
        granted_by_id=world.users["manager"].id,
        reason="Old concern",
        ends_on=date.today(),
        revoked_at=sa.func.now(),
    )
    db.session.add(ended)
    db.session.commit()
    factories.sign_in(client, world.users["manager"])
    page = client.get("/reports/grants").text
    assert page.index("Police safeguarding strategy discussion") < page.index("Old concern")


def test_history_shows_who_looked_newest_first_and_records_the_look(client, client_request, world):
    starter = client.application.test_client()
    factories.sign_in(starter, world.users["taf"])
    starter.get(f"/assessments/{world.case.ref}")
    factories.sign_in(client, world.users["lead"])
    page = client_request.get(f"/assessments/{world.case.ref}/history")
    assert page.h1 == "Who has seen or changed this record"
    rows = page.words("table.app-history tbody tr")
    assert "Viewed who has seen this record" in rows[0]
    assert any("Tara Taf" in row and "Viewed the case" in row for row in rows[1:])
    assert _last_event().action == "history_viewed"


def test_history_pages_do_not_grow_their_queries_with_events(client, world):
    from tests.security.test_reports_queries import count_queries

    factories.sign_in(client, world.users["manager"])
    ref = world.case.ref  # read once: the test's own reload of an expired object is not the page's query
    client.get(f"/assessments/{ref}/history")
    with count_queries() as few:
        client.get(f"/assessments/{ref}/history")
    for _ in range(30):
        client.get(f"/assessments/{ref}")
    with count_queries() as many:
        client.get(f"/assessments/{ref}/history")
    assert many.count == few.count


def test_the_access_review_counts_distinct_cases_each_user_opened(client, world):
    taf = client.application.test_client()
    factories.sign_in(taf, world.users["taf"])
    for _ in range(3):
        taf.get(f"/assessments/{world.case.ref}")
    factories.sign_in(client, world.users["manager"])
    page = client.get("/reports/access-review")
    assert page.status_code == 200
    row = page.text[page.text.index("Tara Taf") :]
    row = row[: row.index("</tr>")]
    assert ">1</td>" in row.replace(" ", "").replace("\n", "")


def test_the_reports_page_counts_cases_by_state_and_links_only_to_what_exists(client, world):
    factories.sign_in(client, world.users["manager"])
    page = client.get("/reports")
    assert page.status_code == 200
    assert "2 cases in all" in page.text
    assert 'href="/reports/access-review"' in page.text and 'href="/reports/grants"' in page.text


def test_forged_fields_on_a_grant_are_ignored_and_logged(client, world):
    factories.sign_in(client, world.users["manager"])
    response = client.post(
        f"/assessments/{world.case.ref}/access",
        data={
            "user": str(world.users["unrelated"].id),
            "reason": "Needed",
            "granted_by_id": "1",
            "state": "closed",
            **_date_fields(date.today() + timedelta(days=5)),
        },
    )
    assert response.status_code == 302
    forged = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "forged_field"))
    assert forged.outcome == "refused" and forged.detail["fields"] == ["granted_by_id", "state"]
    db.session.refresh(world.case)
    assert world.case.state == "plan_active"
    grant = db.session.scalars(sa.select(AccessGrant).order_by(AccessGrant.id.desc())).first()
    assert grant.granted_by_id == world.users["manager"].id
