"""Filling in an assessment through its pages, as a practitioner does: every required answer of every page of
the case's definition, household sections once and each child's sections for that child."""

from datetime import date

import sqlalchemy as sa

from eha.definitions.store import definition_for
from eha.extensions import db
from eha.models.assessments import Assessment, SectionAnswer
from eha.models.families import Child


def page_url(case, section, child=None):
    base = f"/assessments/{case.ref}/sections/{section.key}"
    return f"{base}/children/{child.id}" if child is not None else base


def required_answers(section, text="Discussed with the family."):
    """Form data answering every required question of ``section`` with a value the page offers."""
    data = {}
    for spec in section.required_fields:
        if spec.type in ("radios", "scale"):
            data[spec.key] = spec.option_values[0] if spec.type == "radios" else "4"
        elif spec.type in ("checkboxes", "needs"):
            data[spec.key] = [spec.option_values[0]]
        elif spec.type == "date":
            data[spec.key] = ["2", "3", "2026"]
        else:
            data[spec.key] = text
    return data


def saved_version(case, key, child_id=None):
    db.session.expire_all()
    record = db.session.scalar(
        sa.select(SectionAnswer).where(
            SectionAnswer.assessment_id == case.id,
            SectionAnswer.section_key == key,
            SectionAnswer.child_id.is_(None) if child_id is None else SectionAnswer.child_id == child_id,
        )
    )
    return record


def fill_page(client, case, section, child=None, **answers):
    record = saved_version(case, section.key, child.id if child else None)
    data = {**required_answers(section), **answers, "version": str(record.version_id if record else 0)}
    data.setdefault("action", "complete")
    return client.post(page_url(case, section, child), data=data)


def fill_everything(client, case, skip=()):
    """Complete every page of the case, except the ``(section key, child first name or None)`` in ``skip``."""
    definition = definition_for(case)
    for section, child in definition.pages(case.children):
        if (section.key, child.first_name if child else None) in skip:
            continue
        extra = {"supporting-families": ["sf-education"]} if section.key == "needs" else {}
        response = fill_page(client, case, section, child, **extra)
        assert response.status_code == 302, response.text


def add_child(client, case, first_name, born, sex="male"):
    db.session.expire_all()
    response = client.post(
        f"/assessments/{case.ref}/family/children/new",
        data={
            "first_name": first_name,
            "last_name": case.children[0].last_name,
            "date_of_birth": [str(born.day), str(born.month), str(born.year)],
            "sex": sex,
            "version": str(case.family.version_id),
        },
    )
    assert response.status_code == 302, response.text
    return db.session.scalar(sa.select(Child).where(Child.first_name == first_name))


def state_of(case):
    db.session.expire_all()
    return db.session.get(Assessment, case.id).state


def today_parts():
    today = date.today()
    return [str(today.day), str(today.month), str(today.year)]
