"""Factories for families and cases (used by the assessments tests)."""

from datetime import date

from eha.extensions import db
from eha.models.assessments import Consent, TafMember
from eha.services import assessments as service


def family(
    user,
    name="The Nowak family",
    first_name="Zofia",
    last_name="Nowak",
    dob=date(2015, 3, 27),
    nhs_number=None,
    carer="Agnieszka Nowak",
):
    record = service.create_family(
        user,
        name=name,
        address="12 Mill Lane, Northtown",
        postcode="NT1 2AB",
        child={
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": dob,
            "sex": "female",
            "school": "Northshire Primary School",
            "nhs_number": nhs_number,
        },
        carer={
            "name": carer,
            "relationship_to_child": "Mother",
            "phone": "07700 900123",
            "preferred_language": "Polish",
            "interpreter_needed": "no",
        },
    )
    db.session.commit()
    return record


def case(user, **kwargs):
    fam = family(user, **kwargs)
    record = service.start_assessment(user, fam, fam.children)
    db.session.commit()
    return record


def consent(case, user, agencies=(), withdrawn_on=None):
    carer = case.family.carers[0]
    record = Consent(
        assessment=case,
        given_by_kind="carer",
        carer_id=carer.id,
        given_by_name=carer.name,
        given_on=date.today(),
        recorded_by_id=user.id,
        agencies=list(agencies),
        withdrawn_on=withdrawn_on,
    )
    db.session.add(record)
    db.session.commit()
    return record


def taf_member(case, user):
    db.session.add(TafMember(assessment=case, user_id=user.id, role="Member"))
    db.session.commit()
