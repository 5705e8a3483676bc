"""An early help episode (the assessment and its case), its answers, agreement, team and grants."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, relationship

from eha.extensions import db
from eha.models.base import TimestampMixin, utcnow
from eha.models.choices import CASE_PERSON_KINDS, CONSENT_CONTACTS, CONSENT_FORMS, CONSENT_GIVEN_BY, check_in
from eha.workflow.states import CLOSURE_REASONS, DRAFT, OPEN_STATES, STATES

DEFAULT_LEGAL_BASIS = (
    "UK GDPR Article 6(1)(e) public task, with Article 9(2)(g) substantial public interest and "
    "Data Protection Act 2018 Schedule 1 paragraph 18 (safeguarding of children and individuals at risk)"
)


class FormDefinitionVersion(db.Model):
    """An assessment form definition version, as uploaded or shipped. Assessments pin one."""

    __tablename__ = "form_definitions"
    __table_args__ = (sa.UniqueConstraint("name", "version", name="uq_form_definitions_name_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    version: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class FormDefinitionTranslation(db.Model):
    """A definition version's text in another language, uploaded by an administrator (the version's own content
    never changes). A new upload is a new row; the latest for a language is the one shown."""

    __tablename__ = "form_definition_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(sa.ForeignKey("form_definitions.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(10))
    content: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class ReferenceCounter(db.Model):
    """One row per reference prefix; incremented under a row lock to allocate EHA- numbers."""

    __tablename__ = "reference_counters"

    prefix: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer, default=0)


class Assessment(TimestampMixin, db.Model):
    """One early help episode: the assessment, then the TAF, plan and reviews, until closure."""

    __tablename__ = "assessments"
    __table_args__ = (
        sa.CheckConstraint(check_in("state", STATES), name="state"),
        sa.CheckConstraint(
            "closure_reason IS NULL OR " + check_in("closure_reason", CLOSURE_REASONS), name="closure_reason"
        ),
        sa.CheckConstraint(
            "pending_closure_reason IS NULL OR " + check_in("pending_closure_reason", CLOSURE_REASONS),
            name="pending_closure_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(20), unique=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("families.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(30), default=DRAFT, index=True)
    definition_name: Mapped[str] = mapped_column(sa.String(100))
    definition_version: Mapped[int] = mapped_column(sa.Integer)
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # The safety question: the answer given before the assessment could start.
    significant_harm_answer: Mapped[str] = mapped_column(sa.String(10), default="no")
    legal_basis: Mapped[str] = mapped_column(sa.Text, default=DEFAULT_LEGAL_BASIS)

    started_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, index=True)  # reports' periods
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # What is due next, kept by the workflow effects; the dashboard sorts by ``next_due_on``.
    assessment_due_on: Mapped[date | None] = mapped_column(sa.Date)
    first_taf_due_on: Mapped[date | None] = mapped_column(sa.Date)
    next_review_due_on: Mapped[date | None] = mapped_column(sa.Date)
    next_due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    next_due_label: Mapped[str | None] = mapped_column(sa.String(100))

    # Closure. ``pending_*`` holds a lead professional's closure awaiting a manager's sign-off.
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closure_reason: Mapped[str | None] = mapped_column(sa.String(40))
    closure_notes: Mapped[str | None] = mapped_column(sa.Text)
    closure_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    pending_closure_reason: Mapped[str | None] = mapped_column(sa.String(40))
    pending_closure_notes: Mapped[str | None] = mapped_column(sa.Text)
    pending_closure_outcomes: Mapped[dict | None] = mapped_column(sa.JSON)
    pending_closure_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    pending_closure_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Step-up to children's social care.
    step_up_on: Mapped[date | None] = mapped_column(sa.Date)
    step_up_team: Mapped[str | None] = mapped_column(sa.String(200))
    step_up_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Retention (issue 19): set when the case content was disposed of; the row stays as the audit trail's anchor.
    disposed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    disposal_rule: Mapped[str | None] = mapped_column(sa.String(200))

    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)
    # The case's children's folded names ("first last", ``Child.search_*``), one after another with
    # ``SEARCH_NAMES_SEPARATOR`` between: the case list's name search reads the case's own row, so a search can
    # walk the list's order and stop at one page (issue 14). A copy, kept by ``_rewrite_search_names`` on every
    # flush that changes a child's name or a case's children (migration 0031 filled it). Not loaded with the case.
    search_names: Mapped[str] = deferred(mapped_column(sa.Text, default="", server_default="", nullable=False))

    family = relationship("Family", lazy="joined")
    started_by = relationship("User", foreign_keys=[started_by_id], lazy="joined")
    lead = relationship("User", foreign_keys=[lead_id], lazy="joined")
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    pending_closure_by = relationship("User", foreign_keys=[pending_closure_by_id])
    subjects: Mapped[list["AssessmentChild"]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    sections: Mapped[list["SectionAnswer"]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="assessment", order_by="Consent.id", cascade="all, delete-orphan"
    )
    taf_members: Mapped[list["TafMember"]] = relationship(
        back_populates="assessment", order_by="TafMember.id", cascade="all, delete-orphan"
    )
    people: Mapped[list["CasePerson"]] = relationship(
        back_populates="assessment", order_by="CasePerson.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def children(self):
        return [s.child for s in self.subjects]

    @property
    def current_consent(self):
        """The latest agreement recorded, withdrawn or not (None when never recorded)."""
        return self.consents[-1] if self.consents else None

    @property
    def has_current_agreement(self):
        consent = self.current_consent
        return consent is not None and consent.withdrawn_on is None

    def answers_by_section(self):
        """The household's answers, ``{section key: answers}`` (each child's own answers are not in it)."""
        return {s.section_key: s.answers or {} for s in self.sections if s.child_id is None}

    def answers_by_child(self):
        """Each child's own answers to the each-child sections, ``{(section key, child id): answers}``."""
        return {(s.section_key, s.child_id): s.answers or {} for s in self.sections if s.child_id is not None}


class AssessmentChild(db.Model):
    """A child the episode is about. ``is_open`` mirrors the episode so the database refuses two open."""

    __tablename__ = "assessment_children"
    __table_args__ = (
        sa.Index(
            "uq_assessment_children_open_child",
            "child_id",
            unique=True,
            sqlite_where=sa.text("is_open"),
            postgresql_where=sa.text("is_open"),
        ),
        sa.Index("ix_assessment_children_child_id", "child_id"),  # a child's episodes, open or closed
    )

    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), primary_key=True)
    child_id: Mapped[int] = mapped_column(sa.ForeignKey("children.id"), primary_key=True)
    is_open: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    assessment: Mapped[Assessment] = relationship(back_populates="subjects")
    child = relationship("Child", lazy="joined")


# Between two children's names in ``Assessment.search_names``: a search's text never holds it, so a search
# cannot match the end of one child's name and the start of the next's.
SEARCH_NAMES_SEPARATOR = "\x1f"


def search_names_of_case():
    """A scalar subquery of ``Assessment.search_names`` from its children: what a flush and migration 0031 write."""
    from eha.models.families import Child

    name = Child.search_first_name.concat(" ").concat(Child.search_last_name)
    names = (
        sa.select(sa.func.aggregate_strings(name, SEARCH_NAMES_SEPARATOR))
        .select_from(AssessmentChild)
        .join(Child, Child.id == AssessmentChild.child_id)
        .where(AssessmentChild.assessment_id == Assessment.id)
        .correlate(Assessment)
        .scalar_subquery()
    )
    return sa.func.coalesce(names, "")


def rewrite_search_names(connection, case_ids=(), child_ids=()):
    """Rewrite ``search_names`` of the cases ``case_ids`` and of every case of the children ``child_ids``."""
    which = []
    if case_ids:
        which.append(Assessment.id.in_(sorted(case_ids)))
    if child_ids:
        of_children = sa.select(AssessmentChild.assessment_id).where(AssessmentChild.child_id.in_(sorted(child_ids)))
        which.append(Assessment.id.in_(of_children))
    if which:
        table = Assessment.__table__
        connection.execute(
            sa.update(table).where(sa.or_(*which)).values(search_names=search_names_of_case()),
            execution_options={"synchronize_session": False},
        )


@sa.event.listens_for(Session, "after_flush")
def _rewrite_search_names(session, _context):
    """Keep ``Assessment.search_names`` in step: a case's children added or removed, a child's name changed."""
    from eha.models.families import Child

    case_ids, child_ids = set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, AssessmentChild):
            state = sa.inspect(obj)
            case_ids.update(i for i in (obj.assessment_id, *state.attrs.assessment_id.history.deleted) if i)
        elif isinstance(obj, Child) and obj in session.dirty and obj.id is not None:
            attrs = sa.inspect(obj).attrs
            if attrs.search_first_name.history.has_changes() or attrs.search_last_name.history.has_changes():
                child_ids.add(obj.id)
    if case_ids or child_ids:
        rewrite_search_names(session.connection(), case_ids, child_ids)


class SectionAnswer(db.Model):
    """The saved answers to one section of the form definition the assessment is pinned to."""

    __tablename__ = "section_answers"
    __table_args__ = (
        # One row per household section, and one per child for a section asked of each child.
        sa.Index(
            "uq_section_answers_family_section",
            "assessment_id",
            "section_key",
            unique=True,
            sqlite_where=sa.text("child_id IS NULL"),
            postgresql_where=sa.text("child_id IS NULL"),
        ),
        sa.Index(
            "uq_section_answers_child_section",
            "assessment_id",
            "section_key",
            "child_id",
            unique=True,
            sqlite_where=sa.text("child_id IS NOT NULL"),
            postgresql_where=sa.text("child_id IS NOT NULL"),
        ),
        sa.CheckConstraint(check_in("status", ("not_started", "in_progress", "completed")), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    section_key: Mapped[str] = mapped_column(sa.String(100))
    # The child whose answers these are, for an each-child section; None for a household section.
    child_id: Mapped[int | None] = mapped_column(sa.ForeignKey("children.id"))
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(20), default="not_started")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    assessment: Mapped[Assessment] = relationship(back_populates="sections")
    updated_by = relationship("User")

    __mapper_args__ = {"version_id_col": version_id}


consent_agencies = sa.Table(
    "consent_agencies",
    db.metadata,
    sa.Column("consent_id", sa.ForeignKey("consents.id"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agencies.id"), primary_key=True),
)


class Consent(TimestampMixin, db.Model):
    """The family's agreement to early help: who agreed, when, which agencies, what is withheld."""

    __tablename__ = "consents"
    __table_args__ = (
        sa.CheckConstraint(check_in("given_by_kind", CONSENT_GIVEN_BY), name="given_by_kind"),
        sa.CheckConstraint("given_as IS NULL OR " + check_in("given_as", CONSENT_FORMS), name="given_as"),
        sa.CheckConstraint("given_via IS NULL OR " + check_in("given_via", CONSENT_CONTACTS), name="given_via"),
        sa.Index("ix_consents_assessment_id_id", "assessment_id", "id"),  # a case's latest agreement
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    given_by_kind: Mapped[str] = mapped_column(sa.String(20))
    carer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("carers.id"))
    child_id: Mapped[int | None] = mapped_column(sa.ForeignKey("children.id"))
    given_by_name: Mapped[str] = mapped_column(sa.String(200))
    given_on: Mapped[date] = mapped_column(sa.Date)
    withheld: Mapped[str | None] = mapped_column(sa.Text)
    # How it was given (issue 13): each optional, None when not recorded.
    given_as: Mapped[str | None] = mapped_column(sa.String(20))
    given_via: Mapped[str | None] = mapped_column(sa.String(20))
    interpreter_used: Mapped[bool | None] = mapped_column(sa.Boolean)
    interpreter_language: Mapped[str | None] = mapped_column(sa.String(100))
    privacy_notice_given: Mapped[bool | None] = mapped_column(sa.Boolean)
    # A young person's agreement: the practitioner's judgement that they are competent to give it, and why.
    competence_judged: Mapped[bool | None] = mapped_column(sa.Boolean)
    competence_notes: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_on: Mapped[date | None] = mapped_column(sa.Date)
    withdrawal_notes: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    assessment: Mapped[Assessment] = relationship(back_populates="consents")
    agencies = relationship("Agency", secondary=consent_agencies, order_by="Agency.name")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    withdrawn_recorded_by = relationship("User", foreign_keys=[withdrawn_recorded_by_id])

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def agency_ids(self):
        return {a.id for a in self.agencies}


class TafMember(TimestampMixin, db.Model):
    """A professional in the Team Around the Family. Sees the case while their agency is agreed."""

    __tablename__ = "taf_members"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "user_id", name="uq_taf_members_assessment_user"),
        sa.Index("ix_taf_members_user_assessment", "user_id", "assessment_id"),  # a user's TAF cases
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str | None] = mapped_column(sa.String(200))
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Why they left and who took them off (kept here, not in the audit trail, which holds ids and codes only).
    removed_reason: Mapped[str | None] = mapped_column(sa.Text)
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    assessment: Mapped[Assessment] = relationship(back_populates="taf_members")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    removed_by = relationship("User", foreign_keys=[removed_by_id])


class LeadChange(db.Model):
    """A handover of the case to a new lead professional: from whom, to whom, from when and why. The reason typed is
    kept here (the audit trail records only that one was given)."""

    __tablename__ = "lead_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    to_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    old_lead_kept: Mapped[bool] = mapped_column(sa.Boolean)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    from_user = relationship("User", foreign_keys=[from_user_id])
    to_user = relationship("User", foreign_keys=[to_user_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class ClosureReturn(db.Model):
    """A closure a manager did not sign off and sent back to the lead professional, with why. The words typed are
    kept here, on the case, so they go when it is disposed of (the audit trail records only that one was given)."""

    __tablename__ = "closure_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    closure_reason: Mapped[str | None] = mapped_column(sa.String(40))
    why: Mapped[str] = mapped_column(sa.Text)
    returned_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    returned_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class CasePerson(TimestampMixin, db.Model):
    """Someone on the case without an eha account: the family's wider network (a grandmother who does the school
    run, a family friend) or a professional (a GP, an advocate, an interpreter). They can be invited to meetings,
    attend, own actions (the lead records their progress) and sign a plan version. Never deleted once on the case:
    ``removed_at`` takes them off it and keeps what they did."""

    __tablename__ = "case_people"
    __table_args__ = (sa.CheckConstraint(check_in("kind", CASE_PERSON_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    # Their relationship to the family ("Maternal grandmother") or their job ("GP", "Advocate").
    role: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(320))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    communication_needs: Mapped[str | None] = mapped_column(sa.Text)
    interpreter_language: Mapped[str | None] = mapped_column(sa.String(100))
    # Set when the person came from the household's network record.
    network_member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("network_members.id"))
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    assessment: Mapped[Assessment] = relationship(back_populates="people")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_current(self):
        return self.removed_at is None

    @property
    def kind_label(self):
        return CASE_PERSON_KINDS.get(self.kind, self.kind)


class AccessGrant(TimestampMixin, db.Model):
    """Duty to share: a manager's grant of access to a case without the family's agreement."""

    __tablename__ = "access_grants"
    __table_args__ = (sa.Index("ix_access_grants_user_assessment", "user_id", "assessment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    assessment = relationship("Assessment")
    user = relationship("User", foreign_keys=[user_id])
    granted_by = relationship("User", foreign_keys=[granted_by_id])
