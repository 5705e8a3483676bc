"""My cases for a TAF member: their own open actions, and what is due for them, before the lead's next step.

A health visitor in the team around five families: the cases where she owns open actions come first, by her
soonest due date, each showing her actions with links to update them; the others follow as before.
"""

from datetime import date, timedelta

import pytest
import time_machine

from eha.demo import cases as build
from eha.extensions import db
from eha.formatting import format_date
from eha.models.base import utcnow
from eha.models.users import User
from eha.transaction import committing
from tests.workflow.helpers import team
from tests.workflow.test_dashboard import QueryCounter

TODAY = date.today()


def days(n):
    return TODAY + timedelta(days=n)


@pytest.fixture
def people(app):
    return team(app)


def _active_case(lead, nurse, name, actions):
    """A case with an agreed plan (``actions``: ``(what, owner, due in days)``) and ``nurse`` in its TAF."""
    with committing():
        case = build.new_case(lead, family_name=name, agencies=[nurse.agency])
        build.to_plan_active(
            case,
            lead,
            [nurse],
            actions=[
                {"what": what, "owner": owner, "due_on": days(due), "need_code": "sf-education"}
                for what, owner, due in actions
            ],
        )
    return case


def _draft_case(client, signed_in, lead, nurse, name, what, due):
    """An assessed case whose lead adds an action for ``nurse`` on the plan page: a draft nobody has signed."""
    with committing():
        case = build.new_case(lead, family_name=name, agencies=[nurse.agency])
        build.to_taf_scheduled(case, lead, [nurse])
    signed_in(lead)
    when = days(due)
    response = client.post(
        f"/assessments/{case.ref}/plan/actions/new",
        data={
            "need": "sf-education",
            "what": what,
            "owner": f"user:{nurse.id}",
            "due_on": [str(when.day), str(when.month), str(when.year)],
            "success": "Better",
        },
    )
    assert response.status_code == 302
    return case


def _mark_done(client_request, signed_in, nurse, case):
    """The nurse records her only action on ``case`` as done, from its progress page."""
    signed_in(nurse)
    page = client_request.get("/")
    [link] = [a.get("href") for a in _row(page, case).cssselect("a") if "/progress" in a.get("href")]
    form = client_request.get(link)
    version = form.one("input[name=version]").get("value")
    client_request.post(link, data={"progress": "done", "comment": "Seen at clinic", "version": version})


def _rows(page):
    return page.select("table tbody tr")


def _row(page, case):
    [row] = [r for r in _rows(page) if case.ref in r.text_content()]
    return row


def _refs(page):
    return [r.xpath("./td[1]//a")[0].text_content().strip() for r in _rows(page)]


def _due(row):
    cell = row.xpath("./td[4]")[0]
    for br in cell.iter("br"):
        br.tail = " " + (br.tail or "")
    return " ".join(cell.text_content().split())


@pytest.fixture
def nurses_cases(client, client_request, signed_in, people):
    """Five cases led by the lead, with the nurse in each TAF."""
    lead, nurse, _manager = people
    cases = {
        # Her action is due in 20 days; the lead's own action, in 5, is the case's next step.
        "later": _active_case(lead, nurse, "Adams", [("Lead's home visit", lead, 5), ("Health check", nurse, 20)]),
        # Two actions of hers, one overdue.
        "overdue": _active_case(
            lead, nurse, "Brown", [("Hearing test", nurse, 40), ("Weigh baby", nurse, -3), ("School meeting", lead, 9)]
        ),
        # Nothing of hers: the case's next step stays.
        "none": _active_case(lead, nurse, "Clarke", [("Lead's school visit", lead, 2)]),
        # Hers, but she has done it.
        "done": _active_case(lead, nurse, "Davies", [("Dental visit", nurse, 1), ("Parenting course", lead, 30)]),
    }
    cases["draft"] = _draft_case(client, signed_in, lead, nurse, "Evans", "Sleep diary with Mum", 10)
    _mark_done(client_request, signed_in, nurse, cases["done"])
    db.session.expire_all()
    return cases


def test_a_taf_member_sees_her_own_actions_first_by_her_soonest_due_date(
    client_request, signed_in, people, nurses_cases
):
    _lead, nurse, _ = people
    c = nurses_cases
    signed_in(nurse)
    page = client_request.get("/")

    refs = _refs(page)
    assert refs[:3] == [c["overdue"].ref, c["draft"].ref, c["later"].ref]
    assert set(refs[3:]) == {c["none"].ref, c["done"].ref}  # the rest as before: by what is due on the case
    overdue = _due(_row(page, c["overdue"]))
    assert overdue.startswith(f"Your action overdue since {format_date(days(-3))} Overdue Your actions")
    assert f"Weigh baby Due {format_date(days(-3))} Overdue" in overdue
    assert f"Hearing test Due {format_date(days(40))}" in overdue
    assert overdue.index("Weigh baby") < overdue.index("Hearing test")
    assert "School meeting" not in overdue  # the lead's action is not hers
    later = _due(_row(page, c["later"]))
    assert later.startswith(f"Your action due {format_date(days(20))}")
    assert format_date(days(5)) not in later  # not the lead's next step
    assert "Lead's home visit" not in later


def test_cases_without_her_open_actions_keep_what_is_due_on_the_case(client_request, signed_in, people, nurses_cases):
    _lead, nurse, _ = people
    c = nurses_cases
    signed_in(nurse)
    page = client_request.get("/")
    assert _due(_row(page, c["none"])) == f"Action due: {format_date(days(2))}"
    done = _due(_row(page, c["done"]))
    assert done == f"Action due: {format_date(days(30))}"
    assert "Dental visit" not in done and "Your action" not in done


def test_her_action_links_to_its_progress_page_or_to_the_plan_before_it_is_agreed(
    client_request, signed_in, people, nurses_cases
):
    _lead, nurse, _ = people
    c = nurses_cases
    signed_in(nurse)
    page = client_request.get("/")
    [link] = _row(page, c["later"]).cssselect(".app-own-actions a")
    assert link.text_content() == "Health check"
    progress = client_request.get(link.get("href"))
    assert "Health check" in progress.text and progress.one("input[name=version]") is not None

    draft = _row(page, c["draft"])
    [link] = draft.cssselect(".app-own-actions a")
    assert link.get("href") == f"/assessments/{c['draft'].ref}/plan"
    assert f"Sleep diary with Mum Due {format_date(days(10))} (the plan is not agreed yet)" in _due(draft)
    assert "Sleep diary with Mum" in client_request.get(link.get("href")).text


def test_the_lead_keeps_the_case_s_next_step_and_order_and_sees_her_own_actions(
    client_request, signed_in, people, nurses_cases
):
    lead, _nurse, _ = people
    c = nurses_cases
    signed_in(lead)
    page = client_request.get("/")
    refs = _refs(page)
    # As before: by what is due on the case, whoever owns it (the nurse's overdue action makes Brown's first).
    assert refs == [c["overdue"].ref, c["none"].ref, c["later"].ref, c["draft"].ref, c["done"].ref]
    later = _due(_row(page, c["later"]))
    assert later.startswith(f"Action due: {format_date(days(5))}")
    assert f"Your actions Lead's home visit Due {format_date(days(5))}" in later
    assert "Health check" not in later
    assert "Your action due" not in page.text and "Your action overdue" not in page.text


def test_a_long_action_is_cut_short_on_the_list(client, client_request, signed_in, people):
    lead, nurse, _ = people
    case = _active_case(lead, nurse, "Fisher", [("Arrange " + "a very long thing " * 30, nurse, 3)])
    signed_in(nurse)
    [link] = _row(client_request.get("/"), case).cssselect(".app-own-actions a")
    assert len(link.text_content()) <= 80 and link.text_content().endswith("...")


def test_her_own_actions_page_through_with_the_rest(app, client_request, signed_in, people):
    lead, nurse, _ = people
    app.config["EHA_PAGE_SIZE"] = 2
    hers = [_active_case(lead, nurse, f"Own {n}", [(f"Visit {n}", nurse, 10 + n)]) for n in range(3)]
    others = [_active_case(lead, nurse, f"Other {n}", [(f"Lead visit {n}", lead, 1 + n)]) for n in range(2)]
    signed_in(nurse)
    first, second, third = (client_request.get(f"/?page={n}") for n in (1, 2, 3))
    assert _refs(first) == [hers[0].ref, hers[1].ref]
    assert _refs(second) == [hers[2].ref, others[0].ref]
    assert _refs(third) == [others[1].ref]
    assert "Page 2 of 3 (5 in all)" in second.text
    assert "Your action due" in _due(_row(second, hers[2])) and "Your action" not in _due(_row(second, others[0]))


def test_a_taf_member_s_home_makes_the_same_number_of_queries_for_4_and_40_cases(client, signed_in, people):
    lead, nurse, _ = people
    ids = lead.id, nurse.id
    with time_machine.travel(utcnow(), tick=False):
        counts = []
        for batch in (4, 36):
            lead, nurse = (db.session.get(User, i) for i in ids)
            for n in range(batch):
                owner = nurse if n % 2 else lead
                _active_case(lead, nurse, f"Family {len(counts)}-{n}", [(f"Visit {n}", owner, n + 1)])
            signed_in(nurse)
            client.get("/")  # warm caches (form definitions, templates)
            db.session.remove()
            with QueryCounter(db.engine) as counter:
                response = client.get("/")
            assert response.status_code == 200 and "Your action due" in response.get_data(as_text=True)
            counts.append(counter.count)
    assert counts[0] == counts[1]
    assert counts[0] <= 12, counts
