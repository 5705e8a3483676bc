"""Data the journeys need beyond ``flask demo``'s accounts, written straight into the live server's DB."""

import sqlalchemy as sa

from eha.auth.passwords import hash_password
from eha.extensions import db
from eha.models.users import Agency, User

# Accounts only the browser tests sign in with, so that a journey that locks one out, or changes
# one, cannot disturb the demo accounts the other journeys use.
LOCKOUT_EMAIL = "wrong.password@northshire-primary.example.org"


def seed_extra(app):
    school = db.session.scalar(sa.select(Agency).where(Agency.name == "Northshire Primary School"))
    if db.session.scalar(sa.select(User).where(User.email == LOCKOUT_EMAIL)) is None:
        db.session.add(
            User(
                email=LOCKOUT_EMAIL,
                name="Robin Fairweather",
                role="practitioner",
                agency=school,
                job_title="Teacher",
                password_hash=hash_password(app.config["EHA_DEMO_PASSWORD"]),
            )
        )
    db.session.commit()
