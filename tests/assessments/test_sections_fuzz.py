"""Hypothesis throws hostile input at every section through the route: no server errors, nothing malformed stored."""

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eha.definitions import latest_definition
from eha.extensions import db
from eha.models.assessments import SectionAnswer
from tests.assessments import helpers

DEFINITION = latest_definition()
SECTIONS = DEFINITION.sections

text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=300),
    st.just("\x00"),
    st.just("a\x00b"),
    st.builds(lambda n: "ż" * n, st.integers(min_value=4990, max_value=20100)),
)
date_part = st.one_of(st.sampled_from(["", "0", "31", "29", "2", "13", "2024", "99999", "-1", "１２"]), text)


def _value(spec):
    if spec.type == "date":
        return st.lists(date_part, min_size=0, max_size=4)
    if spec.type in ("checkboxes", "needs"):
        return st.lists(st.one_of(st.sampled_from(list(spec.option_values)), text), max_size=5)
    if spec.type in ("radios", "scale"):
        options = list(spec.option_values) if spec.type == "radios" else [str(n) for n in range(11)]
        return st.one_of(st.sampled_from(options), st.sampled_from(["11", "-1", "1.5", "yes"]), text)
    return text


@st.composite
def submissions(draw):
    section = draw(st.sampled_from(SECTIONS))
    data = {}
    for spec in section.fields:
        if draw(st.booleans()):
            value = draw(_value(spec))
            data[spec.key] = value
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=20))] = draw(text)
    data["action"] = draw(st.sampled_from(["complete", "draft", "", "other"]))
    return section, data


def _well_formed(spec, value):
    if spec.type in ("text", "textarea"):
        return isinstance(value, str) and value and "\x00" not in value and len(value) <= spec.max_length
    if spec.type == "radios":
        return value in spec.option_values
    if spec.type in ("checkboxes", "needs"):
        return isinstance(value, list) and value and set(value) <= set(spec.option_values)
    if spec.type == "date":
        parsed = date.fromisoformat(value)
        return not spec.past or parsed <= date.today()
    if spec.type == "scale":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10
    return False


@pytest.fixture
def started(app, practitioner):
    return helpers.case(practitioner)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(submission=submissions(), send_version=st.booleans())
def test_hostile_section_posts_never_fail_and_store_only_well_formed_answers(
    client, signed_in, practitioner, started, submission, send_version
):
    section, data = submission
    signed_in(practitioner)
    db.session.expire_all()
    # A section asked of each child is posted for the case's child, at that child's address.
    child_id = started.children[0].id if section.each_child else None
    record = db.session.scalar(
        sa.select(SectionAnswer).where(
            SectionAnswer.assessment_id == started.id,
            SectionAnswer.section_key == section.key,
            SectionAnswer.child_id.is_(None) if child_id is None else SectionAnswer.child_id == child_id,
        )
    )
    if send_version:
        data["version"] = str(record.version_id if record else 0)
    url = f"/assessments/{started.ref}/sections/{section.key}"
    response = client.post(f"{url}/children/{child_id}" if child_id else url, data=data)
    # Without the version the save is treated as stale: the conflict page, never an overwrite.
    assert response.status_code in ((200, 302) if send_version else (200, 409)), response.status_code
    db.session.expire_all()
    for saved in db.session.scalars(sa.select(SectionAnswer).where(SectionAnswer.assessment_id == started.id)):
        spec_section = DEFINITION.section(saved.section_key)
        for key, value in saved.answers.items():
            assert _well_formed(spec_section.field(key), value), (key, value)
