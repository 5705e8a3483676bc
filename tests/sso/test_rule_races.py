"""Two administrators changing the same single sign-on account rule at once on PostgreSQL: one change wins, the
other is told (the rule exists already; the rule is gone), never a 500."""

import json

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.users import SsoAccountRule
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.pages import Page
from tests.security.helpers import race
from tests.sso.test_admin_rules import PROVIDER, _form

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises every write, so requests cannot race",
    ),
]


@pytest.fixture
def app_settings():
    return {
        "EHA_OIDC_PROVIDERS": json.dumps([{**PROVIDER, "client_secret": "a-secret"}]),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 5, "pool_timeout": 60},
    }


@pytest.fixture
def admins(app):
    pages = []
    for name in ("First Admin", "Second Admin"):
        page = app.test_client()
        factories.sign_in(page, factories.user(name=name, role="admin"))
        pages.append(page)
    return pages


def _rules():
    db.session.expire_all()
    return db.session.scalars(sa.select(SsoAccountRule)).all()


def test_two_administrators_adding_the_same_rule_at_once_make_one(app, admins):
    health = factories.agency("Northshire Community Health", kind="health")
    forms = [_form(health), _form(health, role="manager")]

    def add(index):
        response = admins[index].post("/admin/single-sign-on", data=forms[index])
        return response.status_code, response

    results = race(2, add)
    assert not any(isinstance(result, Exception) for result in results), results
    assert sorted(status for status, _ in results) == [200, 302], results
    refused = next(response for status, response in results if status == 200)
    assert Page(refused).errors() == ["There is already a rule for this email domain and provider"]
    assert len(_rules()) == 1


def test_two_administrators_removing_one_rule_at_once_remove_it_once(app, admins):
    health = factories.agency("Northshire Community Health", kind="health")
    assert admins[0].post("/admin/single-sign-on", data=_form(health)).status_code == 302
    (rule,) = _rules()
    url = f"/admin/single-sign-on/rules/{rule.id}/remove"

    def remove(index):
        return admins[index].post(url).status_code

    results = race(2, remove)
    assert not any(isinstance(result, Exception) for result in results), results
    assert sorted(results) == [302, 404], results
    assert _rules() == []
