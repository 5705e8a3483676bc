"""Checking a definition version before activating it (issue 13 item 8): the sections as a practitioner will see
them, and what changes from the active version. Also the each_child section kind's rules."""

import pytest
import yaml

from eha.definitions import DefinitionError, get_definition, load_definition
from eha.definitions.diff import compare
from tests.pages import check_page


def _changed_v3():
    """Version 3: a required question made optional, one question removed, one added, a section retitled."""
    data = get_definition("eha-default", 2).to_dict()
    data["version"] = 3
    for section in data["sections"]:
        if section["key"] == "voice-of-child":
            section["fields"] = [f for f in section["fields"] if f["key"] != "how-views-gathered"]
            for spec in section["fields"]:
                if spec["key"] == "child-views":
                    spec["required"] = False
        if section["key"] == "strengths":
            section["title"] = "What is going well"
            section["fields"].append({"key": "hobbies", "type": "text", "label": "Hobbies", "required": True})
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_the_difference_from_version_1_to_2_names_what_changed():
    diff = compare(get_definition("eha-default", 1), get_definition("eha-default", 2))
    assert diff.sections_added == ["About the request for help", "About the child"]
    assert diff.sections_removed == []
    changed = [c.text for c in diff.sections_changed]
    assert (
        "Developmental needs: title changed from 'The child's developmental needs'; now asked of each child" in changed
    )
    assert "Voice of the child: now asked of each child" in changed
    # The questions of an added section come with it; none is added to or removed from the sections kept.
    assert diff.fields_added == [] and diff.fields_removed == []


def test_the_difference_names_questions_added_removed_and_their_required_ness():
    diff = compare(get_definition("eha-default", 2), load_definition(_changed_v3()))
    texts = [c.text for c in diff.fields_changed]
    assert (
        "Voice of the child: 'What does the child say about their life, and what would they like to change?' "
        "(no longer required)" in texts
    )
    assert [c.text for c in diff.fields_removed] == [
        "Voice of the child: 'How did you find out what the child thinks and feels?' (optional)"
    ]
    assert [c.text for c in diff.fields_added] == ["What is going well: 'Hobbies' (required to complete)"]
    assert compare(get_definition("eha-default", 2), get_definition("eha-default", 2)).is_empty


def test_an_each_child_section_cannot_hold_the_familys_needs_or_scaling():
    data = get_definition("eha-default", 2).to_dict()
    needs = next(s for s in data["sections"] if s["key"] == "needs")
    needs["kind"] = "each_child"
    with pytest.raises(DefinitionError, match="asked of the whole family, so it cannot be in an each_child"):
        load_definition(data)
    needs["kind"] = "every_child"
    with pytest.raises(DefinitionError, match="'kind' must be one of family, each_child"):
        load_definition(data)


def test_the_administrator_sees_the_new_version_rendered_and_its_changes_before_activating(
    app, client_request, signed_in, admin
):
    signed_in(admin)
    uploaded = client_request.post("/admin/definitions", data={"content": _changed_v3()}).location
    page = client_request.get(uploaded)
    changes = " ".join(page.words("#changes"))
    assert "Changes from the active version" in page.text
    assert "no longer required" in changes and "Hobbies" in changes
    assert "How did you find out what the child thinks and feels?" in changes
    links = page.select("main ol a")
    assert [a.text_content().strip() for a in links][:2] == ["About the request for help", "About the child"]
    preview = client_request.get(links[1].get("href"))
    assert preview.h1 == "Preview: About the child: [the child's name]"
    assert "Nothing you type here is saved" in preview.text and "Traveller of Irish heritage" in preview.text
    assert not preview.select("main form")
    for link in links:
        check_page(client_request.get(link.get("href")), app)


def test_a_preview_of_a_section_the_version_lacks_is_not_found(client_request, signed_in, admin, practitioner):
    signed_in(admin)
    uploaded = client_request.post("/admin/definitions", data={"content": _changed_v3()}).location
    client_request.get(f"{uploaded}/preview/no-such-section", expected_status=404)
    signed_in(practitioner)
    client_request.get(f"{uploaded}/preview/strengths", expected_status=404)
