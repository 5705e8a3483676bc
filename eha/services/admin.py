"""Administration: users, agencies, single sign-on rules and form definitions. Every change is an
``admin_change`` audit event.

Each user action is one ``@autocommit`` function (one transaction, its audit event included); refusals are
``eha.errors``: ``Invalid`` (with the form field to show it on) and ``NotAllowed``; a missing record is ``NotFound``.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from eha import audit
from eha.auth import recovery, sso
from eha.auth import sessions as auth
from eha.auth.passwords import hash_password
from eha.definitions import DefinitionError, load_definition
from eha.errors import Invalid, NotAllowed, NotFound
from eha.extensions import db
from eha.mail import MailError
from eha.models.assessments import FormDefinitionTranslation, FormDefinitionVersion
from eha.models.choices import ADMIN, ROLES
from eha.models.users import Agency, SsoAccountRule, User
from eha.transaction import autocommit

ROLE_RANK = {"practitioner": 0, "manager": 1, "admin": 2}


def _changed(action, **detail):
    audit.record("admin_change", detail={"change": action, **detail})


# --- users ---


def user_query(q=None, role=None, agency_id=None, status=None):
    stmt = sa.select(User).order_by(sa.func.lower(User.name), User.id)
    if q:
        like = f"%{q.lower()[:100]}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if agency_id:
        stmt = stmt.where(User.agency_id == agency_id)
    now = datetime.now(UTC).replace(tzinfo=None)
    if status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif status == "disabled":
        stmt = stmt.where(User.active.is_(False))
    elif status == "locked":
        stmt = stmt.where(User.locked_until > now)
    return stmt


def _get(model, record_id):
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    return record


def get_user(user_id):
    """The user ``user_id``; ``NotFound`` when there is none."""
    return _get(User, user_id)


def get_agency(agency_id):
    return _get(Agency, agency_id)


def get_definition(definition_id):
    return _get(FormDefinitionVersion, definition_id)


def email_taken(email, except_id=None):
    stmt = sa.select(User.id).where(User.email == User.normalise_email(email))
    if except_id:
        stmt = stmt.where(User.id != except_id)
    return db.session.scalar(stmt) is not None


MAIL_FAILED = _l("The email could not be sent. Nothing has been changed. Try again later")


@autocommit
def create_user(acting, *, email, name, role, agency, job_title=None, phone=None):
    """Create an account and email its owner a link to choose their password (the administrator never knows it)."""
    email = User.normalise_email(email)
    if email_taken(email):
        raise Invalid(_l("A user with this email address already exists"), field="email")
    # A password nobody knows until the owner chooses one (a real hash, so signing in takes the usual time).
    user = User(
        email=email,
        name=name,
        role=role,
        agency=agency,
        job_title=job_title or None,
        phone=phone or None,
        password_hash=hash_password(secrets.token_urlsafe(32)),
    )
    db.session.add(user)
    db.session.flush()
    _changed("user created", user_id=user.id, role=role, agency_id=agency.id)
    try:
        recovery.send_link(user, purpose="setup", requested_by=acting)
    except MailError:
        raise NotAllowed(MAIL_FAILED) from None
    return user


@autocommit
def send_password_link(acting, user):
    """Email the user a single-use link to choose a new password. Their password is unchanged until they do."""
    if not user.active:
        raise NotAllowed(_l("This account is disabled. Enable it before sending a password reset link"))
    try:
        return recovery.send_link(user, purpose="reset", requested_by=acting)
    except MailError:
        raise NotAllowed(MAIL_FAILED) from None


def _audited_changes(changes, *, agency_ids):
    """What the audit trail keeps of a user's changed details: which fields changed, the role's codes and the
    agencies' ids; never the name, job title or phone typed (issue 19: identifiers, not the personal data)."""
    audited = {"fields": sorted(changes)}
    if "role" in changes:
        audited["role"] = changes["role"]
    if "agency" in changes:
        audited["agency_id"] = {"from": agency_ids[0], "to": agency_ids[1]}
    return audited


@autocommit
def update_user(acting, user, *, name, role, agency, job_title=None, phone=None):
    """Change a user's details (``role`` None: unchanged). An administrator cannot change their own role (so never
    raise it)."""
    role = user.role if role is None else role
    if user.id == acting.id and role != user.role:
        raise Invalid(_l("You cannot change your own role. Ask another administrator"), field="role")
    if role not in ROLES:
        raise Invalid(_l("Select a role"), field="role")
    changes = {}
    agency_before = user.agency_id
    for attr, value in (("name", name), ("role", role), ("job_title", job_title or None), ("phone", phone or None)):
        if getattr(user, attr) != value:
            changes[attr] = {"from": getattr(user, attr), "to": value}
            setattr(user, attr, value)
    if user.agency_id != agency.id:
        changes["agency"] = {"from": user.agency.name, "to": agency.name}
        user.agency = agency
    if changes:
        _changed("user updated", user_id=user.id, **_audited_changes(changes, agency_ids=(agency_before, agency.id)))
        if "role" in changes or "agency" in changes:
            # What they may see depends on role and agency: sign them in again with the new ones.
            auth.end_all_sessions(user)
    return changes


STATUS_CHANGES = ("disable", "enable", "unlock")


@autocommit
def change_status(acting, user, change):
    """Disable, enable or unlock ``user``'s account (``change`` is one of ``STATUS_CHANGES``)."""
    if change == "unlock":
        unlock(user)
    elif change in ("disable", "enable"):
        set_active(acting, user, change == "enable")
    else:
        raise Invalid(_l("Select what to do with this account"), field="action")


def set_active(acting, user, active):
    if user.id == acting.id and not active:
        raise NotAllowed(_l("You cannot disable your own account"))
    if user.active == active:
        return False
    user.active = active
    if not active:
        auth.end_all_sessions(user)
    _changed("user enabled" if active else "user disabled", user_id=user.id)
    return True


def unlock(user):
    user.locked_until = None
    user.failed_sign_ins = 0
    _changed("account unlocked", user_id=user.id)


def is_last_admin(user):
    if user.role != ADMIN:
        return False
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.role == ADMIN, User.active.is_(True)))
        <= 1
    )


# --- agencies ---


def agencies(include_inactive=True):
    stmt = sa.select(Agency).order_by(sa.func.lower(Agency.name))
    if not include_inactive:
        stmt = stmt.where(Agency.active.is_(True))
    return db.session.scalars(stmt).all()


def agency_user_counts():
    rows = db.session.execute(sa.select(User.agency_id, sa.func.count()).group_by(User.agency_id)).all()
    return {agency_id: count for agency_id, count in rows}


def _agency_name_taken(name, except_id=None):
    stmt = sa.select(Agency.id).where(sa.func.lower(Agency.name) == name.lower())
    if except_id:
        stmt = stmt.where(Agency.id != except_id)
    return db.session.scalar(stmt) is not None


@autocommit
def create_agency(name, kind):
    if _agency_name_taken(name):
        raise Invalid(_l("An agency with this name already exists"), field="name")
    agency = Agency(name=name, kind=kind)
    db.session.add(agency)
    db.session.flush()
    _changed("agency created", agency_id=agency.id, kind=kind)
    return agency


@autocommit
def update_agency(agency, *, name, kind, active, password_sign_in=True):
    if _agency_name_taken(name, except_id=agency.id):
        raise Invalid(_l("An agency with this name already exists"), field="name")
    changes = {}
    fields = (("name", name), ("kind", kind), ("active", active), ("password_sign_in", password_sign_in))
    for attr, value in fields:
        if getattr(agency, attr) != value:
            changes[attr] = {"from": getattr(agency, attr), "to": value}
            setattr(agency, attr, value)
    if changes:
        _changed("agency updated", agency_id=agency.id, fields=sorted(changes))
    return changes


# --- single sign-on: the rules under which a first sign-in may create an account ---

EMAIL_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def sso_rules():
    return db.session.scalars(
        sa.select(SsoAccountRule).order_by(SsoAccountRule.provider, SsoAccountRule.email_domain)
    ).all()


@autocommit
def add_sso_rule(acting, *, provider, email_domain, role, agency):
    """Let a first single sign-on through ``provider`` by someone at ``email_domain`` create their account."""
    domain = (email_domain or "").strip().lower().lstrip("@")
    if sso.provider(provider) is None:
        raise Invalid(_l("Select a single sign-on provider"), field="provider")
    if not EMAIL_DOMAIN.match(domain):
        raise Invalid(_l("Enter an email domain in the correct format, like northshire.gov.uk"), field="email_domain")
    if role not in ROLES:
        raise Invalid(_l("Select a role"), field="role")
    if agency is None or not agency.active:
        raise Invalid(_l("Select an active agency"), field="agency")
    taken = sa.select(SsoAccountRule.id).where(
        SsoAccountRule.provider == provider, SsoAccountRule.email_domain == domain
    )
    if db.session.scalar(taken) is not None:
        raise Invalid(_l("There is already a rule for this email domain and provider"), field="email_domain")
    rule = SsoAccountRule(
        provider=provider, email_domain=domain, role=role, agency=agency, created_by_id=acting.id if acting else None
    )
    db.session.add(rule)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Invalid(_l("There is already a rule for this email domain and provider"), field="email_domain") from None
    _changed("sso account rule added", rule_id=rule.id, provider=provider, role=role, agency_id=agency.id)
    return rule


@autocommit
def remove_sso_rule(rule_id):
    """Stop single sign-on creating accounts under this rule (the accounts it made stay). NotFound if gone:
    two administrators removing it at once queue on its row, and the second finds it gone."""
    rule = db.session.scalar(
        sa.select(SsoAccountRule).where(SsoAccountRule.id == rule_id).with_for_update(of=SsoAccountRule)
    )
    if rule is None:
        raise NotFound()
    db.session.delete(rule)
    _changed("sso account rule removed", rule_id=rule_id)


# --- form definitions ---


def definition_versions():
    """Every stored version, the shipped ones included (stored on first use)."""
    from eha.definitions.store import ensure_shipped_definitions

    ensure_shipped_definitions()
    return db.session.execute(
        sa.select(FormDefinitionVersion, User.name)
        .outerjoin(User, User.id == FormDefinitionVersion.created_by_id)
        .order_by(FormDefinitionVersion.name, FormDefinitionVersion.version.desc())
    ).all()


def reader_titles(rows):
    """Each listed version's title in the reader's language (its translation's, else its own), by id."""
    from eha.definitions.store import localised_definition
    from eha.i18n import current_language

    language = current_language()
    return {record.id: localised_definition(record.name, record.version, language).title for record, _user in rows}


@dataclass
class DefinitionReview:
    """What an administrator checks before activating a version: it as a practitioner will see it, and what it
    changes from the active version (None when it is the active one, or none is)."""

    record: FormDefinitionVersion
    definition: object
    active: FormDefinitionVersion | None
    diff: object
    translations: list = field(default_factory=list)


def review_definition(definition_id):
    """The version in the reader's language (its preview is what a practitioner reading in it sees); the changes
    from the active version are compared in the definitions' own text."""
    from eha.definitions.diff import compare
    from eha.definitions.store import active_definition_record, get_stored_definition, localised_definition
    from eha.i18n import current_language

    record = get_definition(definition_id)
    definition = get_stored_definition(record.name, record.version)
    active = active_definition_record()
    diff = None
    if active is not None and active.id != record.id:
        diff = compare(get_stored_definition(active.name, active.version), definition)
    shown = localised_definition(record.name, record.version, current_language())
    return DefinitionReview(record, shown, active, diff, definition_translations(record, definition))


@dataclass
class TranslationStatus:
    """A language a version may be read in: where its text comes from and how much of it is translated."""

    language: str
    name: str
    source: object  # the upload (FormDefinitionTranslation), "shipped", or None: shown in English
    translated: int
    total: int


def _text_count(definition):
    count = sum(1 for text in (definition.title, definition.description) if text)
    for section in definition.sections:
        count += sum(1 for text in (section.title, section.description) if text)
        for spec in section.fields:
            count += sum(1 for text in (spec.label, spec.hint, spec.error_name) if text)
            count += sum(1 for option in spec.options for text in (option.label, option.hint) if text)
    return count


def definition_translations(record, definition):
    from eha.definitions.store import stored_translation
    from eha.definitions.translations import TRANSLATION_LANGUAGES

    out = []
    for language, name in TRANSLATION_LANGUAGES.items():
        translation, where = stored_translation(record.name, record.version, language)
        source = db.session.get(FormDefinitionTranslation, where) if isinstance(where, int) else where
        translated = len(translation.texts) if translation is not None else 0
        out.append(TranslationStatus(language, name, source, translated, _text_count(definition)))
    return out


@autocommit
def upload_translation(acting, record, text):
    """Check a translation of ``record``'s version and store it; it is read at once. ``Invalid`` names the
    problem and where (the version's own content is never touched). ``acting`` is None from the command line."""
    from eha.definitions.store import get_stored_definition

    return _store_translation(acting, record, get_stored_definition(record.name, record.version), text)


def _store_translation(acting, record, definition, text):
    from eha.definitions.translations import load_translation

    try:
        translation = load_translation(text, definition)
    except DefinitionError as exc:
        raise Invalid(_l("The translation has a problem: %(problem)s", problem=str(exc)), field="content") from None
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # load_translation has refused anything that is not UTF-8
    row = FormDefinitionTranslation(
        definition_id=record.id,
        language=translation.language,
        content=text,
        created_by_id=acting.id if acting is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    _changed(
        "form definition translation uploaded",
        definition=record.name,
        version=record.version,
        definition_id=record.id,
        language=translation.language,
    )
    return row


@autocommit
def upload_definition(acting, text, translation=None):
    """Check and store a new definition version (inactive), with its ``translation`` text if given: both are
    stored or neither. Raises ``Invalid`` with the problem named (on ``translation`` for the translation's)."""
    try:
        definition = load_definition(text)
    except DefinitionError as exc:
        raise Invalid(_l("The form definition has a problem: %(problem)s", problem=str(exc)), field="content") from None
    exists = db.session.scalar(
        sa.select(FormDefinitionVersion.id).where(
            FormDefinitionVersion.name == definition.name, FormDefinitionVersion.version == definition.version
        )
    )
    if exists:
        raise Invalid(
            _l(
                "Version %(version)s of %(name)s already exists. Give the new one a higher version number",
                version=definition.version,
                name=definition.name,
            ),
            field="content",
        )
    record = FormDefinitionVersion(
        name=definition.name,
        version=definition.version,
        title=definition.title,
        content=definition.to_text(),
        created_by_id=acting.id,
    )
    db.session.add(record)
    db.session.flush()
    _changed(
        "form definition uploaded", definition=definition.name, version=definition.version, definition_id=record.id
    )
    if translation is not None:
        try:
            _store_translation(acting, record, definition, translation)
        except Invalid as error:
            error.field = "translation"
            raise
    return record


def translation_record(text):
    """The stored version a translation names (the shipped ones included); ``Invalid`` if it names none."""
    from eha.definitions.store import ensure_shipped_definitions
    from eha.definitions.translations import translation_target

    try:
        name, version = translation_target(text)
    except DefinitionError as exc:
        raise Invalid(_l("The translation has a problem: %(problem)s", problem=str(exc)), field="content") from None
    ensure_shipped_definitions()
    record = db.session.scalar(
        sa.select(FormDefinitionVersion).where(
            FormDefinitionVersion.name == name, FormDefinitionVersion.version == version
        )
    )
    if record is None:
        raise Invalid(
            _l("There is no version %(version)s of %(name)s to translate", version=version, name=name), field="content"
        )
    return record


@autocommit
def activate_definition(record):
    """Make ``record`` the one active version of its name."""
    db.session.execute(
        sa.update(FormDefinitionVersion)
        .where(FormDefinitionVersion.name == record.name, FormDefinitionVersion.id != record.id)
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    record.active = True
    _changed("form definition activated", definition=record.name, version=record.version, definition_id=record.id)
