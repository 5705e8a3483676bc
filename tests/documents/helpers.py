"""Factories for the document tests: a case with a plan signed by the lead and a parent, through the service."""

import io
import math
import re
from collections import Counter
from datetime import date, timedelta

from pypdf import PdfReader

from eha.extensions import db
from eha.models.plans import PlanAction, PlanSignature
from eha.services import plans as plan_service
from tests.plans import helpers as plan_helpers

assessed_case = plan_helpers.assessed_case
reload = plan_helpers.reload


def draft(case, lead, whats, *, family_what=None):
    """A draft version with one action per ``whats`` owned by the lead, and one the mother owns."""
    version = plan_service.draft_plan(case, lead)
    for action in list(version.actions):
        version.actions.remove(action)
    db.session.flush()
    carer = case.family.carers[0]
    rows = [(what, {"owner_user_id": lead.id, "owner_name": lead.name}) for what in whats]
    if family_what:
        rows.append((family_what, {"owner_carer_id": carer.id, "owner_name": carer.name}))
    for position, (what, owner) in enumerate(rows, start=1):
        version.actions.append(
            PlanAction(
                key=f"{case.id}-{what[:20]}-{position}",
                position=position,
                need_code="sf-education",
                what=what,
                due_on=date.today() + timedelta(days=30),
                success_measure="Zofia is in school every day",
                **owner,
            )
        )
    db.session.commit()
    return version


def sign(case, version, lead):
    """The lead and the mother sign: the version is frozen with its digest."""
    carer = case.family.carers[0]
    version.signatures.append(
        PlanSignature(
            signer_kind="lead",
            user_id=lead.id,
            name=lead.name,
            role="Lead professional",
            signed_on=date.today(),
            method="on_screen",
            recorded_by_id=lead.id,
        )
    )
    version.signatures.append(
        PlanSignature(
            signer_kind="carer",
            carer_id=carer.id,
            name=carer.name,
            role="Mother",
            signed_on=date.today(),
            method="on_paper",
            recorded_by_id=lead.id,
        )
    )
    plan_service.freeze(case, version, lead)
    db.session.commit()
    return version


def signed_plan(case, lead, whats=("Walk Zofia to school",), family_what="Mum sets an alarm"):
    return sign(case, draft(case, lead, list(whats), family_what=family_what), lead)


def pdf_text(pdf):
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def squash(text):
    return re.sub(r"\s+", "", text)


def font_sizes(pdf):
    sizes = Counter()
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                sizes[round(size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]), 1)] += 1

        page.extract_text(visitor_text=visit)
    return sizes
