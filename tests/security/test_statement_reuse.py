"""Statements reused across requests (issue 14, part 5: ``eha.statement_cache``) answer for the user asking, on
the day they ask: users taking turns in one process each see only their own cases, and a duty-to-share grant
stops opening the case the day after it ends, although the same statements serve both days."""

import re
from datetime import timedelta

import time_machine

from eha.models.base import utcnow
from tests import factories


def _status(client, user, url):
    factories.sign_in(client, user)
    return client.get(url).status_code


def test_users_taking_turns_in_one_process_each_see_only_their_own_cases(client, world):
    url = f"/assessments/{world.case.ref}"
    for _ in range(2):
        assert _status(client, world.users["lead"], url) == 200
        assert _status(client, world.users["unrelated"], url) == 404
        assert _status(client, world.users["other_agency"], url) == 404
        assert _status(client, world.users["taf"], url) == 200
    page = client.get("/").get_data(as_text=True)  # still signed in as the TAF member
    assert world.case.ref in page and world.other_case.ref not in page
    factories.sign_in(client, world.users["unrelated"])
    assert world.case.ref not in client.get("/").get_data(as_text=True)


def test_a_grant_opens_the_case_until_it_ends_and_not_the_day_after(client, world):
    url = f"/assessments/{world.case.ref}"
    grantee = world.users["grantee"]
    assert _status(client, grantee, url) == 200
    assert _status(client, grantee, url) == 200  # the second look reuses the first's statement
    after = utcnow() + (world.grant.ends_on - utcnow().date()) + timedelta(days=1)
    with time_machine.travel(after, tick=False):
        assert _status(client, grantee, url) == 404
        assert _status(client, world.users["lead"], url) == 200


def _current(page):
    """The menu link marked as the page the user is on."""
    return re.findall(r'class="govuk-service-navigation__link" href="([^"]*)" aria-current="true"', page)


def test_the_menu_follows_the_role_and_the_page(client, world):
    factories.sign_in(client, world.users["manager"])
    manager_home = client.get("/").get_data(as_text=True)
    assert 'href="/reports"' in manager_home
    assert _current(manager_home) == ["/"]
    factories.sign_in(client, world.users["lead"])
    home = client.get("/").get_data(as_text=True)
    assert 'href="/reports"' not in home
    assert _current(home) == ["/"]
    cases = client.get("/assessments").get_data(as_text=True)
    assert 'href="/reports"' not in cases
    assert _current(cases) == ["/assessments"]
    # Welsh for one request, English for the next: the labels are translated on each page, not when built.
    welsh = client.get("/assessments?lang=cy").get_data(as_text=True)
    english = client.get("/assessments?lang=en").get_data(as_text=True)
    assert re.search(r">\s*My cases\s*<", english)
    assert not re.search(r">\s*My cases\s*<", welsh) and _current(welsh) == ["/assessments"]
