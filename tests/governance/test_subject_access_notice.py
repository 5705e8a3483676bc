"""A manager opening a subject access request tells the lead professional of each case it covers: an email in the
outbox with the case reference and a link to the case's subject access page, no names or case content, once per
request and case."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.governance import SubjectAccessRequest
from eha.models.notifications import Notification
from eha.notifications import events
from eha.services.subject_access import cases_of
from tests.governance.test_subject_access import _open_request, _person_key
from tests.pages import Page

FAMILY_WORDS = ("Donna", "Marsh", "Kai", "Lily", "Ray", "Pike", "moved")


def _notices():
    return db.session.scalars(
        sa.select(Notification).where(Notification.kind == "subject_access").order_by(Notification.case_ref)
    ).all()


def _open(client, name):
    key, _page = _person_key(client, name)
    response = _open_request(client, key)
    assert response.status_code == 302, Page(response).errors()
    return db.session.scalars(sa.select(SubjectAccessRequest).order_by(SubjectAccessRequest.id.desc())).first()


def test_the_lead_of_each_case_a_request_covers_is_told_once_without_names(app, demo, as_user):
    client = as_user(demo.manager)
    assert _notices() == []
    sar = _open(client, "donna")
    notices = _notices()
    refs = [case.ref for case in demo.marsh]
    assert [n.case_ref for n in notices] == refs
    for notice, case in zip(notices, demo.marsh, strict=True):
        assert notice.address == case.lead.email == demo.lead.email and notice.status == "queued"
        assert notice.recipient_user_id == demo.lead.id
        assert case.ref in notice.subject
        assert f"/assessments/{case.ref}/subject-access" in notice.body
        text = notice.subject + notice.body
        assert not [word for word in FAMILY_WORDS if word in text]
    # Once per request and case: telling again queues nothing more.
    assert events.subject_access_opened(sar, cases_of(sar)) == 0
    db.session.commit()
    assert len(_notices()) == 3
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "sar_opened"))
    assert event.detail["told"] == 3


def test_a_second_request_covering_the_same_cases_tells_the_lead_again(app, demo, as_user):
    client = as_user(demo.manager)
    _open(client, "donna")
    _open(client, "ray marsh")
    notices = _notices()
    assert len(notices) == 6
    assert len({n.key for n in notices}) == 6
    assert sorted(n.case_ref for n in notices) == sorted([c.ref for c in demo.marsh] * 2)


def test_a_refused_request_tells_nobody(app, demo, as_user):
    client = as_user(demo.manager)
    _open(client, "donna")
    key, _page = _person_key(client, "donna")
    assert _open_request(client, key).status_code == 409
    assert _open_request(client, key, received=("1", "1", "2099")).status_code in (200, 409)
    assert len(_notices()) == 3


def test_the_link_in_the_email_opens_the_case_subject_access_page_for_the_lead(app, demo, as_user):
    _open(as_user(demo.manager), "donna")
    [notice, *_rest] = _notices()
    link = notice.body.split("http://", 1)[1].split()[0]
    path = link[link.index("/assessments/") :]
    page = Page(as_user(demo.lead).get(path))
    assert page.status_code == 200 and page.h1 == "Subject access: what to withhold"
