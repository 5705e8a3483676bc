"""Plain-data fixtures for the PDF renderers: no database, no Flask."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from eha.pdf.model import (
    Action,
    AssessmentDocument,
    Contact,
    Member,
    Person,
    PlanDocument,
    SectionDoc,
    Signature,
)

DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

FRONT_DOOR = (
    "Children's Front Door (Early Help Hub)\n"
    "Phone: 0300 123 4567 (Monday to Friday, 9am to 5pm)\n"
    "Out of hours: 0300 123 9999\n"
    "Email: frontdoor@example.gov.uk"
)


TYPICAL_ACTIONS = (
    Action(
        1,
        "Sam's school attendance is 78% this term",
        "Meet each morning at the school gate for the first two weeks and walk Sam to class.",
        "Mrs Patel (Learning Mentor)",
        False,
        date(2026, 3, 6),
        "Sam is in class by 8:50 on at least 9 days out of 10.",
    ),
    Action(
        2,
        "Sam's school attendance is 78% this term",
        "Set an alarm and have Sam's uniform and bag ready the night before.",
        "Kelly (Mum)",
        True,
        date(2026, 3, 6),
        "Sam leaves home by 8:20 most days.",
    ),
    Action(
        3,
        "Kelly feels low and isolated",
        "Refer Kelly to the talking therapies service and help with the first appointment.",
        "Dr Okafor (GP)",
        False,
        date(2026, 2, 27),
        "Kelly has had a first appointment.",
    ),
    Action(
        4,
        "Kelly feels low and isolated",
        "Go to the Tuesday parents' coffee morning at the family hub.",
        "Kelly (Mum)",
        True,
        date(2026, 3, 20),
        "Kelly has been at least three times and says she knows someone there.",
    ),
    Action(
        5,
        "Rent arrears of £640",
        "Help the family apply for a Discretionary Housing Payment and set up a repayment plan.",
        "Jo Evans (Housing Officer)",
        False,
        date(2026, 3, 13),
        "A repayment plan is agreed with the landlord.",
    ),
    Action(
        6,
        "Lily's speech is behind for her age",
        "Read a bedtime story with Lily at least four nights a week.",
        "Kelly and Dan",
        True,
        None,
        "Lily joins in with words from the story.",
    ),
    Action(
        7,
        "Lily's speech is behind for her age",
        "Arrange a speech and language assessment at the children's centre.",
        "Health visitor",
        False,
        date(2026, 4, 3),
        "Lily has been seen and the family has the report.",
    ),
)

TYPICAL_TAF = (
    Member("Amira Khan", "Oakfield Primary School", "Lead professional"),
    Member("Priya Patel", "Oakfield Primary School", "Learning Mentor"),
    Member("Dr Chidi Okafor", "Riverside Surgery", "GP"),
    Member("Jo Evans", "Northshire Homes", "Housing Officer"),
    Member("Rachel Green", "Northshire 0-19 Service", "Health visitor"),
)

TYPICAL_SIGNATURES = (
    Signature("Kelly Bennett", "Parent", date(2026, 2, 13), "In person on screen"),
    Signature("Dan Bennett", "Parent", date(2026, 2, 13), "On paper"),
    Signature("Amira Khan", "Lead professional", date(2026, 2, 13), "In person on screen"),
)


def typical_plan(**changes) -> PlanDocument:
    """A realistic signed plan: about three pages at normal size."""
    doc = PlanDocument(
        reference="EHA-000123",
        version=2,
        is_draft=False,
        organisation="Northshire County Council",
        service_name="Early Help Service",
        family_name="Bennett",
        children=(Person("Sam Bennett", date(2015, 5, 3)), Person("Lily Bennett", date(2022, 11, 19))),
        lead=Contact(
            "Amira Khan",
            "Designated Safeguarding Lead",
            "Oakfield Primary School",
            "01632 960 123",
            "a.khan@oakfield.example.sch.uk",
        ),
        taf_members=TYPICAL_TAF,
        worries=(
            "Sam has missed a lot of school this term and is often late. He says his tummy hurts in the "
            "mornings.\n\nKelly has been feeling low since Dan's hours were cut, and the family is behind "
            "with the rent. Lily is not saying as many words as other children her age."
        ),
        working_well=(
            "Kelly and Dan love their children and want things to get better. Sam enjoys football club "
            "on Thursdays and his teacher says he is kind to younger children.\n\nGrandma lives nearby "
            "and helps with the school run on Fridays."
        ),
        needs=(
            "Sam gets to school on time every day",
            "Kelly feels less alone and gets support for her mood",
            "The family's home is secure and the rent is paid",
            "Lily's talking is checked and supported",
        ),
        actions=TYPICAL_ACTIONS,
        next_review=date(2026, 4, 10),
        front_door=FRONT_DOOR,
        signatures=TYPICAL_SIGNATURES,
        digest=DIGEST,
        generated_at=datetime(2026, 2, 14, 9, 30),
    )
    return dataclasses.replace(doc, **changes) if changes else doc


def long_plan(n: int = 40, size: int = 5000) -> PlanDocument:
    """40 actions, each with 5,000-character answers: many pages, rows that split across pages."""
    words = ("support family school health review weekly contact progress agreed together ").split()
    text = " ".join(words[i % len(words)] for i in range(size // 7))[:size]
    actions = tuple(
        Action(i, f"Need {i}", f"ACTION-{i:03d} {text}", "Dan (Dad)" if i % 3 == 0 else f"Worker {i}",
               i % 3 == 0, date(2026, 1 + i % 12, 1 + i % 27), f"SUCCESS-{i:03d} {text}")
        for i in range(1, n + 1)
    )  # fmt: skip
    return typical_plan(actions=actions)


def typical_assessment(**changes) -> AssessmentDocument:
    doc = AssessmentDocument(
        reference="EHA-000123",
        organisation="Northshire County Council",
        service_name="Early Help Service",
        family_name="Bennett",
        children=(Person("Sam Bennett", date(2015, 5, 3)), Person("Lily Bennett", None)),
        state_label="Plan agreed",
        definition_label="Early Help Assessment (version 3, 2025)",
        sections=(
            SectionDoc(
                "About the family",
                (
                    ("Who lives in the home?", "Kelly (Mum), Dan (Dad), Sam (10), Lily (3)."),
                    ("What language is spoken at home?", "English"),
                ),
            ),
            SectionDoc(
                "Education",
                (
                    ("Attendance this term", "78%"),
                    ("What does the school say?", "Sam is often late and tired.\nHe enjoys PE and art."),
                ),
            ),
            SectionDoc("Health", (("Any health needs?", "Lily is waiting for a speech assessment."),)),
        ),
        generated_at=datetime(2026, 2, 14, 9, 30),
    )
    return dataclasses.replace(doc, **changes) if changes else doc


def pdf_pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages_text(pdf))


@pytest.fixture
def plan() -> PlanDocument:
    return typical_plan()


@pytest.fixture
def assessment() -> AssessmentDocument:
    return typical_assessment()
