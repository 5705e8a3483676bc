"""The definition loader, the shipped default EHA definition and the answer helpers."""

import copy
import json

import pytest

from eha.definitions import (
    DefinitionError,
    answer_display,
    get_definition,
    latest_definition,
    load_definition,
    missing_required,
    needs_identified,
    scaling_scores,
    section_status,
    shipped_definitions,
)

TRIANGLE = {
    "child-development": [
        "health",
        "education-and-learning",
        "emotional-and-behavioural-development",
        "identity",
        "family-and-social-relationships",
        "social-presentation",
        "self-care-skills",
    ],
    "parenting-capacity": [
        "basic-care",
        "ensuring-safety",
        "emotional-warmth",
        "stimulation",
        "guidance-and-boundaries",
        "stability",
    ],
    "family-environment": [
        "family-history-and-functioning",
        "wider-family",
        "housing",
        "employment",
        "income",
        "social-integration",
        "community-resources",
    ],
}

SUPPORTING_FAMILIES = {
    "sf-education": "Getting a good education",
    "sf-early-years": "Good early years development",
    "sf-health": "Improved mental and physical health",
    "sf-substance": "Promoting recovery and reducing harm from substance use",
    "sf-relationships": "Improved family relationships",
    "sf-safe-exploitation": "Children safe from abuse and exploitation",
    "sf-crime": "Crime prevention and tackling crime",
    "sf-domestic-abuse": "Safe from domestic abuse",
    "sf-housing": "Secure housing",
    "sf-financial": "Financial stability",
}


def minimal() -> dict:
    return {
        "name": "test",
        "version": 1,
        "title": "Test",
        "sections": [
            {
                "key": "first",
                "title": "First",
                "fields": [
                    {"key": "notes", "type": "textarea", "label": "Notes", "required": True},
                    {
                        "key": "choice",
                        "type": "radios",
                        "label": "Choice",
                        "required": False,
                        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                    },
                ],
            },
            {
                "key": "second",
                "title": "Second",
                "fields": [
                    {"key": "when", "type": "date", "label": "When", "required": False, "past": True},
                    {
                        "key": "needs",
                        "type": "needs",
                        "label": "Needs",
                        "required": True,
                        "codes": [{"value": "n1", "label": "Need one"}, {"value": "n2", "label": "Need two"}],
                    },
                    {"key": "fam", "type": "scale", "label": "Family", "required": True, "role": "family"},
                    {
                        "key": "pro",
                        "type": "scale",
                        "label": "You",
                        "required": False,
                        "role": "practitioner",
                    },
                ],
            },
            {
                "key": "third",
                "title": "Third",
                "fields": [{"key": "name", "type": "text", "label": "Name", "required": False}],
            },
            {
                "key": "fourth",
                "title": "Fourth",
                "fields": [
                    {"key": "a", "type": "text", "label": "A", "required": False},
                    {"key": "b", "type": "text", "label": "B", "required": False},
                    {"key": "c", "type": "text", "label": "C", "required": False},
                ],
            },
        ],
    }


def test_a_minimal_definition_loads_with_defaults_filled_in():
    definition = load_definition(minimal())
    assert definition.section("first").field("notes").max_length == 5000
    assert definition.section("third").field("name").max_length == 200
    assert definition.section("second").field("when").past is True
    assert definition.section("second").definition_name == "test"


def test_the_default_definition_loads_and_round_trips_through_yaml_and_json(default_definition):
    assert default_definition.name == "eha-default"
    assert default_definition.version == 2
    assert load_definition(default_definition.to_text()) == default_definition
    assert load_definition(default_definition.to_text("json")) == default_definition
    assert json.loads(default_definition.to_text("json"))["name"] == "eha-default"
    assert load_definition(default_definition.to_text()).digest == default_definition.digest


def test_the_default_definition_is_shipped_and_is_the_latest():
    assert any(d.name == "eha-default" and d.version == 1 for d in shipped_definitions())
    assert get_definition("eha-default", 2) is latest_definition("eha-default")
    with pytest.raises(KeyError):
        get_definition("eha-default", 999)


def test_version_1_keeps_its_section_keys_and_asks_everything_once_per_family():
    version_1 = get_definition("eha-default", 1)
    assert not any(section.each_child for section in version_1.sections)
    assert version_1.section_keys == (
        "child-development",
        "parenting-capacity",
        "family-environment",
        "voice-of-child",
        "family-view",
        "strengths",
        "worries",
        "analysis",
        "needs",
        "scaling",
    )


def test_the_default_has_stable_section_keys(default_definition):
    assert default_definition.section_keys == (
        "about-the-request",
        "about-the-child",
        "child-development",
        "parenting-capacity",
        "family-environment",
        "voice-of-child",
        "family-view",
        "strengths",
        "worries",
        "analysis",
        "needs",
        "scaling",
    )


def test_the_default_covers_all_twenty_dimensions_of_the_triangle(default_definition):
    count = 0
    for section_key, dimensions in TRIANGLE.items():
        section = default_definition.section(section_key)
        for key in dimensions:
            assert section.field(key).type == "textarea"
            count += 1
        summary = section.field("summary")
        assert summary.required and summary.type == "textarea"
    assert count == 20
    labels = {
        spec.label for key in TRIANGLE for spec in default_definition.section(key).fields if spec.key != "summary"
    }
    assert {
        "Health",
        "Identity",
        "Basic care",
        "Ensuring safety",
        "Income",
        "Family's social integration",
    } <= labels


def test_the_default_covers_the_ten_supporting_families_outcomes(default_definition):
    needs = default_definition.section("needs").field("supporting-families")
    assert needs.type == "needs" and needs.required
    assert {o.value: o.label for o in needs.options} == SUPPORTING_FAMILIES


def test_the_default_offers_the_children_in_need_census_factors(default_definition):
    factors = default_definition.section("needs").field("cin-factors")
    assert factors.type == "checkboxes" and not factors.required
    codes = set(factors.option_values)
    expected = {f"{n}{x}" for n in range(1, 7) for x in "ABC"} | {
        "7A",
        "8E",
        "9E",
        "10E",
        "11E",
        "12A",
        "13A",
    }
    expected |= {"14E", "15E", "16E", "17E", "18B", "18C", "19B", "19C", "20E", "21E", "22A", "23E", "24A"}
    assert codes == expected
    assert default_definition.section("needs").field("needs-in-own-words").type == "textarea"


def test_the_default_covers_voice_view_strengths_analysis_and_scaling(default_definition):
    assert default_definition.section("voice-of-child").field("child-views").required
    assert default_definition.section("family-view").field("parents-views").required
    assert default_definition.section("strengths").field("family-strengths").required
    analysis = default_definition.section("analysis")
    assert [spec.label for spec in analysis.fields] == [
        "What are we worried about?",
        "What is working well?",
        "What needs to happen?",
    ]
    assert all(spec.required for spec in analysis.fields)
    scales = {spec.role: spec for spec in default_definition.section("scaling").fields if spec.type == "scale"}
    assert set(scales) == {"family", "practitioner"}
    assert all(spec.required for spec in scales.values())


def test_the_default_uses_every_field_type(default_definition):
    types = {spec.type for _section, spec in default_definition.iter_fields()}
    assert types == {"text", "textarea", "radios", "checkboxes", "date", "scale", "needs"}


def _set(path, value):
    def mutate(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _delete(path):
    def mutate(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


INVALID = [
    ("missing name", _delete(["name"]), "definition: 'name' is required"),
    ("version as text", _set(["version"], "1"), "definition: 'version' must be a whole number"),
    ("version zero", _set(["version"], 0), "definition: 'version' must be 1 or more"),
    ("no sections", _set(["sections"], []), "definition: 'sections' must have at least 1"),
    (
        "unknown type",
        _set(["sections", 3, "fields", 2, "type"], "colour"),
        "sections[3].fields[2]: 'type' must be one of text, textarea, radios, checkboxes, date, scale, needs",
    ),
    (
        "unknown key",
        _set(["sections", 0, "fields", 0, "colour"], "red"),
        "sections[0].fields[0]: unknown key",
    ),
    (
        "missing label",
        _delete(["sections", 0, "fields", 0, "label"]),
        "sections[0].fields[0]: 'label' is required",
    ),
    (
        "required not boolean",
        _set(["sections", 0, "fields", 0, "required"], "yes"),
        "sections[0].fields[0]: 'required' must be true or false",
    ),
    (
        "repeated section key",
        _set(["sections", 1, "key"], "first"),
        "sections[1]: section key 'first' is used twice",
    ),
    (
        "repeated field key",
        _set(["sections", 3, "fields", 1, "key"], "a"),
        "sections[3].fields[1]: field key 'a' is used twice",
    ),
    (
        "section key not a slug",
        _set(["sections", 0, "key"], "First"),
        "sections[0]: section key 'First' must be",
    ),
    (
        "field key not a slug",
        _set(["sections", 0, "fields", 0, "key"], "child_health"),
        "sections[0].fields[0]: field key 'child_health' must be a lowercase slug",
    ),
    ("field key reserved", _set(["sections", 0, "fields", 0, "key"], "data"), "field key 'data' is reserved"),
    (
        "radios without options",
        _delete(["sections", 0, "fields", 1, "options"]),
        "sections[0].fields[1]: a radios field needs 'options'",
    ),
    (
        "needs without codes",
        _delete(["sections", 1, "fields", 1, "codes"]),
        "sections[1].fields[1]: a needs field needs 'codes'",
    ),
    (
        "options on a textarea",
        _set(["sections", 0, "fields", 0, "options"], [{"value": "a", "label": "A"}]),
        "sections[0].fields[0]: 'options' is only allowed on radios and checkboxes fields",
    ),
    (
        "max_length on radios",
        _set(["sections", 0, "fields", 1, "max_length"], 10),
        "sections[0].fields[1]: 'max_length' is only allowed on text and textarea fields",
    ),
    (
        "max_length over the cap",
        _set(["sections", 0, "fields", 0, "max_length"], 20001),
        "sections[0].fields[0]: 'max_length' must be 20000 or less",
    ),
    (
        "past on a text field",
        _set(["sections", 2, "fields", 0, "past"], True),
        "sections[2].fields[0]: 'past' is only allowed on date fields",
    ),
    (
        "role on a textarea",
        _set(["sections", 0, "fields", 0, "role"], "family"),
        "sections[0].fields[0]: 'role' is only allowed on scale fields",
    ),
    (
        "unknown role",
        _set(["sections", 1, "fields", 2, "role"], "teacher"),
        "sections[1].fields[2]: 'role' must be one of family, practitioner",
    ),
    (
        "repeated role",
        _set(["sections", 1, "fields", 3, "role"], "family"),
        "sections[1].fields[3]: role 'family' is already used by second.fam",
    ),
    (
        "repeated option value",
        _set(["sections", 0, "fields", 1, "options", 1, "value"], "a"),
        "sections[0].fields[1].options[1]: value 'a' is used twice",
    ),
    (
        "empty label",
        _set(["sections", 0, "fields", 0, "label"], ""),
        "sections[0].fields[0]: 'label' must not be empty",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_the_loader_refuses_an_invalid_definition_naming_the_problem_and_where(mutate, message):
    data = copy.deepcopy(minimal())
    mutate(data)
    with pytest.raises(DefinitionError) as caught:
        load_definition(data)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- just\n- a list\n", "the top level must be a mapping"),
        ("a: &x [1]\nb: *x\n", "aliases are not allowed"),
        (b"\xff\xfe", "not UTF-8"),
        ("name: x\x00", "NUL"),
        ("[" * 5000, "nested too deeply"),
    ],
)
def test_the_loader_refuses_text_that_is_not_a_definition(text, message):
    with pytest.raises(DefinitionError) as caught:
        load_definition(text)
    assert message in str(caught.value)


def test_an_unquoted_yaml_date_is_reported_where_it_is():
    text = minimal()
    text["sections"][0]["title"] = "PLACEHOLDER"
    yaml_text = json.dumps(text).replace('"PLACEHOLDER"', "2024-01-01")
    with pytest.raises(DefinitionError, match=r"sections\[0\]: 'title' must be text"):
        load_definition(yaml_text)


def test_definitions_are_immutable(default_definition):
    with pytest.raises(AttributeError):
        default_definition.version = 2  # type: ignore[misc]


# --- answer helpers ---


@pytest.fixture
def small():
    return load_definition(minimal())


def test_section_status_follows_the_answers(small):
    first = small.section("first")
    assert section_status(first, None) == "not_started"
    assert section_status(first, {}) == "not_started"
    assert section_status(first, {"notes": "   "}) == "not_started"
    assert section_status(first, {"unknown": "x"}) == "not_started"
    assert section_status(first, {"choice": "a"}) == "in_progress"
    assert section_status(first, {"notes": "Some notes"}) == "completed"
    third = small.section("third")  # no required fields
    assert section_status(third, {}) == "not_started"
    assert section_status(third, {"name": "x"}) == "completed"


def test_scale_zero_counts_as_an_answer(small):
    second = small.section("second")
    assert section_status(second, {"fam": 0, "needs": ["n1"]}) == "completed"


def test_missing_required_lists_section_title_and_field_label_in_order(small):
    assert missing_required(small, {}) == [("First", "Notes"), ("Second", "Needs"), ("Second", "Family")]
    assert missing_required(small, {"first": {"notes": "x"}, "second": {"needs": ["n2"], "fam": 3}}) == []


def test_needs_identified_collects_codes_in_definition_order(small):
    assert needs_identified(small, {}) == []
    assert needs_identified(small, {"second": {"needs": ["n2", "n1", "bogus"]}}) == ["n1", "n2"]


def test_default_needs_identified_ignores_census_factors(default_definition):
    answers = {"needs": {"supporting-families": ["sf-housing"], "cin-factors": ["1A"]}}
    assert needs_identified(default_definition, answers) == ["sf-housing"]


def test_scaling_scores_by_role(small, default_definition):
    assert scaling_scores(small, {}) == {"family": None, "practitioner": None}
    assert scaling_scores(small, {"second": {"fam": 0, "pro": 7}}) == {"family": 0, "practitioner": 7}
    answers = {"scaling": {"family-score": 4, "practitioner-score": 3}}
    assert scaling_scores(default_definition, answers) == {"family": 4, "practitioner": 3}
    assert scaling_scores(small, {"second": {"fam": 11, "pro": True}}) == {
        "family": None,
        "practitioner": None,
    }


def test_answer_display_is_human_readable(small, default_definition):
    second = small.section("second")
    assert answer_display(second.field("when"), "2024-03-05") == "5 March 2024"
    assert answer_display(second.field("needs"), ["n2", "n1"]) == "Need one; Need two"
    assert answer_display(second.field("fam"), 0) == "0 out of 10"
    assert answer_display(small.section("first").field("choice"), "b") == "B"
    assert answer_display(small.section("first").field("notes"), "Hello") == "Hello"
    assert answer_display(small.section("first").field("notes"), None) == ""
    assert answer_display(second.field("needs"), []) == ""
    sf = default_definition.section("needs").field("supporting-families")
    assert answer_display(sf, ["sf-housing", "sf-financial"]) == "Secure housing; Financial stability"
