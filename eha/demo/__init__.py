"""Demo data for ``flask demo``: idempotent, realistic, varied.

Accounts are looked up by email and agencies by name, so running it again changes nothing.
Families and cases come from ``eha.demo.cases`` and ``eha.demo.families``.
"""

import sqlalchemy as sa
from flask import current_app

from eha.auth.passwords import hash_password, verify_password
from eha.extensions import db
from eha.models.users import Agency, User
from eha.transaction import committing

AGENCIES = [
    ("Northshire Primary School", "school"),
    ("Northshire Academy", "school"),
    ("Northshire Community Health", "health"),
    ("Northshire Children's Social Care", "social_care"),
    ("Northshire Police", "police"),
    ("Northshire Homes", "housing"),
    ("Family Action Northshire", "voluntary"),
    ("Northshire Early Help Service", "early_help"),
    ("Northshire Youth Justice Service", "youth_justice"),
]

USERS = [
    # email, name, role, agency, job title, phone
    (
        "sarah.okafor@northshire-primary.example.org",
        "Sarah Okafor",
        "practitioner",
        "Northshire Primary School",
        "Designated safeguarding lead",
        "01632 960 101",
    ),
    (
        "tomasz.nowak@northshire-academy.example.org",
        "Tomasz Nowak",
        "practitioner",
        "Northshire Academy",
        "Pastoral lead",
        "01632 960 102",
    ),
    (
        "priya.shah@northshire-health.example.org",
        "Priya Shah",
        "practitioner",
        "Northshire Community Health",
        "School nurse",
        "01632 960 103",
    ),
    (
        "jamie.clarke@northshire-earlyhelp.example.org",
        "Jamie Clarke",
        "practitioner",
        "Northshire Early Help Service",
        "Family support worker",
        "01632 960 104",
    ),
    (
        "ayse.demir@northshire-homes.example.org",
        "Ayşe Demir",
        "practitioner",
        "Northshire Homes",
        "Tenancy sustainment officer",
        "01632 960 105",
    ),
    (
        "hong.nguyen@familyaction-northshire.example.org",
        "Hồng Nguyễn",
        "practitioner",
        "Family Action Northshire",
        "Family worker",
        "01632 960 106",
    ),
    (
        "mark.evans@northshire-police.example.org",
        "Mark Evans",
        "practitioner",
        "Northshire Police",
        "Early intervention officer",
        "01632 960 107",
    ),
    (
        "helen.brooks@northshire-earlyhelp.example.org",
        "Helen Brooks",
        "manager",
        "Northshire Early Help Service",
        "Early help team manager",
        "01632 960 110",
    ),
    (
        "ade.bello@northshire.example.gov.uk",
        "Ade Bello",
        "admin",
        "Northshire Early Help Service",
        "System administrator",
        "01632 960 120",
    ),
]


def ensure_agencies():
    existing = {a.name: a for a in db.session.scalars(sa.select(Agency))}
    for name, kind in AGENCIES:
        if name not in existing:
            existing[name] = Agency(name=name, kind=kind)
            db.session.add(existing[name])
    db.session.flush()
    return existing


def ensure_users(agencies):
    password = current_app.config["EHA_DEMO_PASSWORD"]
    existing = {u.email: u for u in db.session.scalars(sa.select(User))}
    users = {}
    password_hash = None
    for email, name, role, agency_name, job_title, phone in USERS:
        user = existing.get(email)
        if user is None:
            password_hash = password_hash or hash_password(password)
            user = User(
                email=email,
                name=name,
                role=role,
                agency=agencies[agency_name],
                job_title=job_title,
                phone=phone,
                password_hash=password_hash,
            )
            db.session.add(user)
        elif not verify_password(user.password_hash, password):
            # EHA_DEMO_PASSWORD changed since the last run: the demo accounts follow it.
            password_hash = password_hash or hash_password(password)
            user.password_hash = password_hash
        users[email] = user
    db.session.flush()
    return users


def ensure_demo_seal():
    """Create the demo's self-signed sealing certificate (``instance/demo-seal.p12``) when it is missing.

    Development then seals every PDF with it (``config.DevelopmentConfig``). Not in tests or production.
    """
    import os

    from config import DEMO_SEAL_PASSPHRASE, DEMO_SEAL_PATH

    if current_app.testing or current_app.config.get("NAME") == "production" or DEMO_SEAL_PATH.exists():
        return None
    from eha.pdf.seal import make_self_signed_pkcs12

    DEMO_SEAL_PATH.parent.mkdir(parents=True, exist_ok=True)
    passphrase = os.environ.get("EHA_SEAL_PASSPHRASE") or DEMO_SEAL_PASSPHRASE
    organisation = current_app.config["EHA_ORGANISATION_NAME"]
    return make_self_signed_pkcs12(
        DEMO_SEAL_PATH, passphrase.encode("utf-8"), f"{organisation} (demo seal)", organisation=organisation
    )


def load_demo():
    from eha.definitions.store import ensure_shipped_definitions
    from eha.demo.cases import ensure_demo_cases
    from eha.demo.each_child import ensure_each_child_case
    from eha.demo.retention import ensure_demo_retention
    from eha.notifications import events as notification_events

    with committing():  # one transaction: the services the demo uses (a change of lead) commit with it
        agencies = ensure_agencies()
        users = ensure_users(agencies)
        ensure_shipped_definitions()
        assessments = ensure_demo_cases(agencies, users)
        assessments += ensure_demo_retention(users)
        assessments.append(ensure_each_child_case(users))
        # The scheduled meetings' invitations, for the worker to send (once: a second run queues nothing).
        notification_events.invite_to_scheduled_meetings(assessments)
    ensure_demo_seal()
    return {
        "users": [{"email": u.email, "name": u.name, "role": u.role, "agency": u.agency.name} for u in users.values()],
        "assessments": [
            {
                "ref": a.ref,
                "state": a.state,
                "lead_email": (a.lead or a.started_by).email,
                "team": [
                    {"email": m.user.email, "agency": m.user.agency.name} for m in a.taf_members if m.removed_at is None
                ],
            }
            for a in assessments
        ],
    }
