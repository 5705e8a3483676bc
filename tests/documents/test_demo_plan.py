"""The demo plan prints in full and the digest on paper finds it again."""

import re

import sqlalchemy as sa

from eha.extensions import db
from eha.models.plans import PlanVersion
from eha.models.users import User
from tests.documents import helpers


def test_the_demo_plan_prints_the_family_s_own_actions_and_its_digest_finds_it(app, client, signed_in, demo_loaded):
    case = next(a for a in demo_loaded["assessments"] if a["state"] == "plan_active")
    signed_in(db.session.scalar(sa.select(User).where(User.email == case["lead_email"])))
    response = client.get(f"/assessments/{case['ref']}/plan.pdf")
    assert response.status_code == 200
    text = helpers.pdf_text(response.data)
    assert "Your family" in text and "Lead professional" in text
    printed = re.sub(r"\s", "", re.search(r"Digest \(SHA-256\):\s*([0-9a-f\s]{64,80})", text).group(1))[:64]
    assert db.session.scalar(sa.select(PlanVersion.number).where(PlanVersion.digest == printed)) is not None
    found = client.post("/plans/verify", data={"digest": printed})
    assert f"{case['ref']}, version" in found.text
