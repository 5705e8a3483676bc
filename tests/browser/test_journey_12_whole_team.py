"""Journey 12: the whole team around the family shares one plan.

The school's lead professional, TAF members from health, police and housing, the mother and the grandmother (who
has no account) each own an action. Each professional updates theirs from their own sign-in; the lead records the
grandmother's. The father signs the same version after the lead and the mother. The lead hands the case to the
family support worker, who records the review, and the review form shows what each owner recorded.
"""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.helpers import (
    EARLY_HELP_WORKER,
    HEALTH_PRACTITIONER,
    HOUSING_OFFICER,
    SCHOOL_PRACTITIONER,
    sign_in,
)
from tests.browser.steps import Family, assessed_case, date_group, fill_date
from tests.browser.test_journey_2_plan import add_action

POLICE_OFFICER = "mark.evans@northshire-police.example.org"
AGENCIES = ["Northshire Community Health", "Northshire Police", "Northshire Homes", "Northshire Early Help Service"]
FAMILY = Family("Adebayo", child_first="Tobi", carer="Funmi")
MOTHER = "Funmi Adebayo"
FATHER = "Kunle Adebayo"
GRANDMOTHER = "Grace Adebayo"
PROFESSIONALS = {"Priya Shah": HEALTH_PRACTITIONER, "Mark Evans": POLICE_OFFICER, "Ayşe Demir": HOUSING_OFFICER}
ACTIONS = {
    "Priya Shah": "Check Tobi's hearing at the clinic",
    "Mark Evans": "Visit with the neighbourhood officer about the stairwell",
    "Ayşe Demir": "Repair the damp in Tobi's bedroom",
    GRANDMOTHER: "Take Tobi to school on Tuesdays and Thursdays",
    f"Family: {MOTHER}": "Use the bedtime routine every school night",
}
UPDATES = {
    "Priya Shah": "Hearing test booked for 14 January.",
    "Mark Evans": "Walked the estate with Funmi; the group has moved on.",
    "Ayşe Demir": "Surveyor has been; repair starts next week.",
}
GRANDMOTHER_UPDATE = "Grace told me by phone she has done every school run."


def today_in(scope, legend):
    today = date.today()
    fill_date(date_group(scope, legend), today.day, today.month, today.year)


def add_father(page, ref):
    page.goto(f"/assessments/{ref}/family")
    page.get_by_role("link", name=re.compile("Add a parent or carer")).click()
    page.get_by_label("Full name").fill(FATHER)
    page.get_by_label("Relationship to the child").fill("Father")
    page.get_by_role("group", name="Is an interpreter needed?").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text(FATHER)


def add_grandmother(page, ref):
    page.goto(f"/assessments/{ref}")
    page.get_by_role("link", name=re.compile("People without an eha account")).click()
    page.get_by_role("button", name="Add someone").click()
    page.get_by_role("group", name="Who are they?").get_by_label("Family network").check()
    page.get_by_label("Full name").fill(GRANDMOTHER)
    page.get_by_label("Role or relationship to the family").fill("Paternal grandmother")
    page.get_by_label("Phone number (optional)").fill("07700 900789")
    page.get_by_label("Communication needs (optional)").fill("Hard of hearing: face her when speaking.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name=re.compile(f"^{GRANDMOTHER}")).first).to_be_visible()
    check_page(page, "j12-people")


def hold_taf_meeting(page, ref):
    page.goto(f"/assessments/{ref}")
    page.get_by_role("link", name="Schedule the TAF meeting").or_(
        page.get_by_role("button", name="Schedule the TAF meeting")
    ).first.click()
    today_in(page, "Date of the meeting")
    page.get_by_label("Time").fill("15:30")
    page.get_by_label("Where will it be held?").fill("Northshire Family Hub")
    professionals = page.get_by_role("group", name="Which professionals are invited?")
    for name in (*PROFESSIONALS, "Jamie Clarke"):
        professionals.get_by_label(name, exact=False).check()
    page.get_by_role("group", name="Which family members are invited?").get_by_label(MOTHER, exact=False).check()
    page.get_by_role("group", name="Who else on the case is invited?").get_by_label(GRANDMOTHER, exact=False).check()
    page.get_by_label("Agenda (optional)").fill("1. What is going well\n2. Worries\n3. The plan")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("scheduled")

    page.get_by_role("button", name="Record the meeting as held").click()
    today_in(page, "Date the meeting was held")
    for name in (*PROFESSIONALS, MOTHER, GRANDMOTHER):
        page.get_by_role("group", name=re.compile(re.escape(name))).get_by_label("Attended").check()
    page.get_by_role("group", name=re.compile("Jamie Clarke")).get_by_label("Sent apologies").check()
    page.get_by_label(re.compile("Update Jamie Clarke sent")).fill("Can start home visits from next week.")
    page.get_by_label("Notes").fill("Everyone agreed the plan below.")
    review = date.today() + timedelta(days=35)
    fill_date(date_group(page, "Date of the next review"), review.day, review.month, review.year)
    page.get_by_role("button", name="Save the record of the meeting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded")


def sign(page, signer, method="In person on screen"):
    page.get_by_role("button", name="Record a signature").click()
    page.get_by_role("group", name="Who is signing?").get_by_label(signer, exact=False).first.check()
    today_in(page, "Date signed")
    page.get_by_label(method).check()
    page.get_by_role("button", name="Record the signature").click()
    expect(page.locator("h1")).to_have_text("The plan")


def build_and_agree_the_plan(page, ref):
    page.goto(f"/assessments/{ref}/plan")
    owners = page.get_by_role("button", name="Add an action")
    expect(owners).to_be_visible()
    for owner, what in ACTIONS.items():
        add_action(
            page, owner=owner, what=what, success="The family say it has helped", due=date.today().toordinal() + 21
        )
    sign(page, "lead professional")
    sign(page, MOTHER)
    page.get_by_role("link", name="Agree the plan on the case page").click()
    page.get_by_role("button", name="Agree the plan").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Plan active")
    # The father signs the same version after it was agreed.
    page.goto(f"/assessments/{ref}/plan")
    digest = page.locator("code").first.inner_text()
    page.get_by_role("link", name=re.compile(f"Record {FATHER}'s signature")).click()
    today_in(page, "Date signed")
    page.get_by_label("On paper").check()
    page.get_by_role("button", name="Record the signature").click()
    signed = page.locator("#signed")
    expect(signed).to_contain_text(FATHER)
    expect(signed).to_contain_text("signed after the plan was agreed")
    assert page.locator("code").first.inner_text() == digest
    check_page(page, "j12-plan-signed-by-three")


def update_own_action(browsing, email, what, comment, password):
    page = browsing.new_page()
    sign_in(page, email, password)
    # Their home page puts their own action first.
    expect(page.locator("main")).to_contain_text(what[:40])
    page.get_by_role("link", name=re.compile(re.escape(what[:40]))).first.click()
    page.get_by_role("group", name="How is this action going?").get_by_label("On track").check()
    page.get_by_label("Comment (optional)").fill(comment)
    page.get_by_role("button", name="Save progress").click()
    expect(page.locator("h1")).to_have_text("The plan")
    expect(page.get_by_role("row").filter(has_text=what)).to_contain_text("On track")
    page.context.close()
    browsing.contexts.remove(page.context)


def record_grandmothers_progress(page, ref):
    page.goto(f"/assessments/{ref}/plan")
    row = page.get_by_role("row").filter(has_text=ACTIONS[GRANDMOTHER])
    row.get_by_role("link", name=re.compile("Update progress")).click()
    page.get_by_role("group", name="How is this action going?").get_by_label("On track", exact=True).check()
    page.get_by_label("Comment (optional)").fill(GRANDMOTHER_UPDATE)
    page.get_by_role("button", name="Save progress").click()
    expect(page.get_by_role("row").filter(has_text=ACTIONS[GRANDMOTHER])).to_contain_text("On track")


def hand_over_to_the_family_support_worker(page, ref):
    page.goto(f"/assessments/{ref}")
    page.get_by_role("link", name=re.compile("the lead professional")).click()
    page.get_by_role("group", name="Who will be the new lead professional?").get_by_label(
        "Jamie Clarke", exact=False
    ).check()
    page.get_by_label("Why is the lead professional changing?").fill("Most of the work is now at home, not school.")
    page.get_by_role("button", name="Change the lead professional").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Jamie Clarke is now the lead professional")


def review_as_the_new_lead(browsing, ref, password):
    page = browsing.new_page()
    sign_in(page, EARLY_HELP_WORKER, password)
    page.goto(f"/assessments/{ref}")
    page.get_by_role("link", name="Schedule a review").or_(
        page.get_by_role("button", name="Schedule a review")
    ).first.click()
    today_in(page, "Date of the meeting")
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Where will it be held?").fill("Northshire Family Hub")
    page.get_by_role("group", name="Which family members are invited?").get_by_label(MOTHER, exact=False).check()
    page.get_by_role("button", name="Schedule the meeting").click()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("h1")).to_have_text("Record the review")
    check_page(page, "j12-review")
    for owner, comment in UPDATES.items():
        group = page.get_by_role("group", name=re.compile(re.escape(ACTIONS[owner][:30])))
        expect(group).to_contain_text(f"Recorded by {owner}")
        expect(group.get_by_label("On track", exact=True)).to_be_checked()
        number = re.search(r"Action (\d+):", group.locator("legend").inner_text()).group(1)
        expect(page.get_by_label(f"Comment on action {number} (optional)")).to_have_value(comment)
    grandmother = page.get_by_role("group", name=re.compile(re.escape(ACTIONS[GRANDMOTHER][:30])))
    expect(grandmother).to_contain_text("Recorded by Sarah Okafor")
    expect(grandmother.get_by_label("On track", exact=True)).to_be_checked()
    family = page.get_by_role("group", name=re.compile(re.escape(ACTIONS[f"Family: {MOTHER}"][:30])))
    family.get_by_label("On track", exact=True).check()
    today_in(page, "Date the meeting was held")
    page.get_by_role("group", name=re.compile(MOTHER)).get_by_label("Attended").check()
    page.get_by_label("The family's view").fill("Things are calmer at home and Tobi is sleeping better.")
    page.get_by_role("group", name=re.compile("The family's score")).get_by_label("7", exact=True).check()
    page.get_by_role("group", name=re.compile("Your score")).get_by_label("6", exact=True).check()
    page.get_by_role("group", name="What happens next?").get_by_label("Continue with the plan").check()
    nxt = date.today() + timedelta(days=42)
    fill_date(date_group(page, "Date of the next review"), nxt.day, nxt.month, nxt.year)
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded")
    page.goto(f"/assessments/{ref}/plan")
    for owner, comment in UPDATES.items():
        expect(page.get_by_role("row").filter(has_text=ACTIONS[owner])).to_contain_text(comment)


def test_the_whole_team_around_the_family_shares_one_plan(browsing, demo_password):
    lead = browsing.new_page()
    sign_in(lead, SCHOOL_PRACTITIONER, demo_password)
    ref = assessed_case(lead, FAMILY, AGENCIES)
    add_father(lead, ref)
    add_grandmother(lead, ref)
    hold_taf_meeting(lead, ref)
    build_and_agree_the_plan(lead, ref)

    for owner, email in PROFESSIONALS.items():
        update_own_action(browsing, email, ACTIONS[owner], UPDATES[owner], demo_password)
    record_grandmothers_progress(lead, ref)
    hand_over_to_the_family_support_worker(lead, ref)
    review_as_the_new_lead(browsing, ref, demo_password)
