"""What the search carries on to "About the family" (issue 13 item 6), and the small wrongs of item 7 on the
pages that start and show a case: the 999 line, family names, a carer's address, the timeline, UK times."""

from datetime import UTC, datetime

import sqlalchemy as sa

from eha.extensions import db
from eha.formatting import family_label, format_timestamp, without_emergency_line
from eha.models.audit import AuditEvent
from tests.assessments import helpers


def test_the_name_and_date_of_birth_typed_in_the_search_pre_fill_about_the_family(
    client_request, signed_in, practitioner
):
    signed_in(practitioner)
    client_request.post(
        "/assessments/new",
        data={"first_name": "Łukasz", "last_name": "Kowalski", "date_of_birth": ["4", "9", "2014"]},
        expected_status=200,
    )
    client_request.post("/assessments/new/continue", data={"family": "new"})
    client_request.post("/assessments/new/safety", data={"at_risk": "no"})
    page = client_request.get("/assessments/new/family")
    assert page.one("#child_first_name").get("value") == "Łukasz"
    assert page.one("#child_last_name").get("value") == "Kowalski"
    assert [page.one(f"#child_date_of_birth-{part}").get("value") for part in ("day", "month", "year")] == [
        "4",
        "9",
        "2014",
    ]


def test_an_nhs_number_typed_in_the_search_pre_fills_it_too(client_request, signed_in, practitioner):
    signed_in(practitioner)
    client_request.post("/assessments/new", data={"nhs_number": "943 476 5919"}, expected_status=200)
    client_request.post("/assessments/new/continue", data={"family": "new"})
    client_request.post("/assessments/new/safety", data={"at_risk": "no"})
    page = client_request.get("/assessments/new/family")
    assert page.one("#child_nhs_number").get("value") == "943 476 5919"
    assert page.one("#child_first_name").get("value") in (None, "")


def test_the_front_door_page_says_999_once_and_never_999_now(app, client_request, signed_in, practitioner):
    signed_in(practitioner)
    client_request.post("/assessments/new", data={"last_name": "Kowalski"}, expected_status=200)
    client_request.post("/assessments/new/continue", data={"family": "new"})
    page = client_request.post("/assessments/new/safety", data={"at_risk": "yes"}, expected_status=200)
    assert page.text.count("999") == 1 + page.text.count("9999")
    assert "999. now" not in page.text
    assert "If a child is in immediate danger, call 999." in page.text
    assert "Northshire Children's Front Door (MASH): 0300 123 4567" in page.text
    assert "Emergency Duty Team 0300 123 9999" in page.text


def test_the_front_door_text_loses_only_its_own_999_sentence():
    text = "Call the MASH on 0300 123 4567. Out of hours: 0300 999 1234. If in immediate danger, call 999."
    assert without_emergency_line(text) == "Call the MASH on 0300 123 4567. Out of hours: 0300 999 1234."
    assert without_emergency_line("") == ""


def test_a_family_name_reads_once_after_the():
    assert family_label("The Yıldız family") == "Yıldız family"
    assert family_label("Yıldız") == "Yıldız family"
    assert family_label("the Nowak-Wiśniewski family") == "Nowak-Wiśniewski family"


def test_the_find_page_names_the_family_record_once(client_request, signed_in, practitioner):
    helpers.case(practitioner, name="The Yıldız family", first_name="Emir", last_name="Yıldız")
    signed_in(practitioner)
    page = client_request.post("/assessments/new", data={"last_name": "Yıldız"}, expected_status=200)
    button = page.select("button[name=family]")[0]
    assert " ".join(button.text_content().split()) == "Continue with this family (the Yıldız family record)"


def test_a_carers_own_address_shows_on_the_family_page(client, client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    carer = case.family.carers[0]
    signed_in(practitioner)
    client_request.post(
        f"/assessments/{case.ref}/family/carers/{carer.id}",
        data={
            "name": carer.name,
            "relationship_to_child": "Mother",
            "address": "Flat 2, 40 High Street, Northtown NT1 9ZZ",
            "interpreter_needed": "no",
            "version": str(case.family.version_id),
        },
    )
    page = client_request.get(f"/assessments/{case.ref}/family")
    assert "Address: Flat 2, 40 High Street, Northtown NT1 9ZZ" in page.text


def _save_section(client, case, key, version, **answers):
    """Save a section answered for each child (definition v2), for the case's first child."""
    return client.post(
        f"/assessments/{case.ref}/sections/{key}/children/{case.children[0].id}",
        data={"version": version, "action": "draft", **answers},
    )


def test_the_timeline_names_the_section_saved_and_is_paginated(client, client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    for n in range(25):
        assert _save_section(client, case, "child-development", str(n), health=f"Note {n}").status_code == 302
    page = client_request.get(f"/assessments/{case.ref}")
    entries = page.words(".app-timeline__entry")
    assert len(entries) == 20
    assert all("saved the section 'Developmental needs'" in e for e in entries), entries[:1]
    assert "Page 1 of 2 (26 in all)" in page.text
    next_link = page.one(".govuk-pagination__next a").get("href")
    assert next_link.startswith(f"/assessments/{case.ref}?page=2")
    older = client_request.get(next_link)
    assert len(older.words(".app-timeline__entry")) == 6
    assert not older.select(".govuk-pagination__next")


def test_times_are_shown_in_uk_time_gov_uk_style():
    summer = datetime(2026, 7, 5, 14, 30)  # naive UTC, as stored: 3:30pm in London (BST)
    winter = datetime(2026, 3, 5, 15, 30)  # GMT
    assert format_timestamp(summer) == "5 July 2026 at 3:30pm"
    assert format_timestamp(winter) == "5 March 2026 at 3:30pm"
    assert format_timestamp(datetime(2026, 6, 30, 23, 30), with_time=False) == "1 July 2026"
    assert format_timestamp(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == "1 December 2026 at 9am"


def test_the_history_page_shows_the_time_in_the_uk(client_request, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    page = client_request.get(f"/assessments/{case.ref}/history")
    created = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case_created"))
    assert format_timestamp(created.occurred_at) in page.text
    assert " UTC" not in page.text
