"""The daily digest to leads and TAF members, the weekly one to managers: working days, quiet hours, once a day."""

from datetime import date, datetime, timedelta

import pytest

from eha.extensions import db
from eha.notifications import digests
from eha.workflow.effects import refresh_due
from eha.workflow.timescales import add_working_days, is_working_day
from tests import factories
from tests.notifications import helpers
from tests.plans import helpers as plan_helpers

ACTION_DUE = date.today() + timedelta(days=30)  # what tests.plans.helpers.plan gives each action


@pytest.fixture
def active_case(app, lead, nurse, health):
    """A case with a signed plan in force whose one action, owned by the nurse (a TAF member), is due on
    ``ACTION_DUE``."""
    case = plan_helpers.assessed_case(lead, [health], state="plan_active")
    plan_helpers.member(case, nurse)
    plan_helpers.plan(case, lead, owners=[nurse], status="signed")
    refresh_due(case)
    db.session.commit()
    return case


def _working_day_on_or_after(day):
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _digest_for(user):
    return [r for r in helpers.rows("daily_digest") if r.recipient_user_id == user.id]


def test_the_lead_and_the_taf_member_get_what_is_due_in_the_next_five_working_days(app, active_case, lead, nurse):
    day = _working_day_on_or_after(add_working_days(ACTION_DUE, -3))
    daily, _weekly = digests.queue_digests(day, weekly=False)
    db.session.commit()
    assert daily == 2
    [for_nurse] = _digest_for(nurse)
    [for_lead] = _digest_for(lead)
    assert "Due in the next 5 working days (2)" in for_nurse.body and "An action you own" in for_nurse.body
    assert f"{active_case.ref}: Action due" in for_lead.body and "An action you own" not in for_lead.body
    assert f"/assessments/{active_case.ref}" in for_nurse.body
    assert for_nurse.subject.startswith("Early help: 0 overdue, 2 due soon")
    for row in (for_nurse, for_lead):
        assert not any(name in row.body + row.subject for name in helpers.FAMILY_NAMES)
        assert "Zofia attends" not in row.body  # no case content


def test_nothing_due_within_the_window_sends_nothing(app, active_case):
    day = _working_day_on_or_after(add_working_days(ACTION_DUE, -8))
    assert digests.queue_digests(day, weekly=False) == (0, 0)


def test_overdue_items_are_listed_as_overdue(app, active_case, nurse):
    day = _working_day_on_or_after(ACTION_DUE + timedelta(days=3))
    digests.queue_digests(day, weekly=False)
    db.session.commit()
    [row] = _digest_for(nurse)
    assert "Overdue (2)" in row.body and "Due in the next" not in row.body


def test_a_second_run_the_same_day_queues_nothing(app, active_case):
    day = _working_day_on_or_after(add_working_days(ACTION_DUE, -2))
    assert digests.queue_digests(day, weekly=False)[0] == 2
    db.session.commit()
    assert digests.queue_digests(day, weekly=False)[0] == 0
    assert len(helpers.rows("daily_digest")) == 2
    assert digests.daily_run_done(day) and not digests.daily_run_done(day + timedelta(days=1))


@pytest.mark.parametrize("day", [date(2026, 12, 5), date(2026, 12, 25)], ids=["saturday", "christmas-day"])
def test_no_digest_on_a_weekend_or_bank_holiday_unless_configured(app, active_case, day):
    assert digests.queue_digests(day) == (0, 0)
    app.config["EHA_DIGESTS_ANY_TIME"] = True
    app.config["EHA_DIGEST_WORKING_DAYS"] = 400  # so the action counts as due soon whatever today is
    assert digests.queue_digests(day, weekly=False)[0] == 2


def test_quiet_hours_are_the_night_weekends_and_bank_holidays_in_london(app):
    london = digests.LONDON
    assert digests.is_quiet(datetime(2026, 12, 1, 3, 0, tzinfo=london))
    assert not digests.is_quiet(datetime(2026, 12, 1, 10, 0, tzinfo=london))
    assert digests.is_quiet(datetime(2026, 12, 1, 19, 30, tzinfo=london))
    assert digests.is_quiet(datetime(2026, 12, 5, 10, 0, tzinfo=london))
    app.config["EHA_DIGESTS_ANY_TIME"] = True
    assert not digests.is_quiet(datetime(2026, 12, 5, 3, 0, tzinfo=london))


def test_managers_get_the_weekly_summary_on_mondays(app, active_case, manager):
    factories.user(role="practitioner", name="Not A Manager")
    monday = _working_day_on_or_after(ACTION_DUE + timedelta(days=1))
    while monday.weekday() != 0 or digests.timescales.is_bank_holiday(monday):
        monday += timedelta(days=1)
    _daily, weekly = digests.queue_digests(monday)
    db.session.commit()
    assert weekly == 1
    [row] = helpers.rows("weekly_digest")
    assert row.address == manager.email
    assert "Open cases: 1" in row.body and "Cases with something overdue: 1" in row.body
    assert "Closures waiting for your sign-off: 0" in row.body
    assert digests.queue_digests(monday)[1] == 0  # once a week
    tuesday = monday + timedelta(days=1)
    assert digests.queue_digests(tuesday)[1] == 0
