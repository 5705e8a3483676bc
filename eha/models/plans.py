"""The plan: versions, actions, signatures; progress on actions; reviews; closure outcomes."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eha.extensions import db
from eha.models.base import TimestampMixin, utcnow
from eha.models.choices import (
    ACTION_PROGRESS,
    NEED_OUTCOMES,
    PLAN_STATUSES,
    REVIEW_DECISIONS,
    SIGNER_KINDS,
    SIGNING_METHODS,
    check_in,
)


class PlanVersion(TimestampMixin, db.Model):
    """One version of the family's plan. Signed versions are frozen with a SHA-256 digest."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "number", name="uq_plan_versions_assessment_number"),
        sa.CheckConstraint(check_in("status", PLAN_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # The canonical content that was signed, and its SHA-256; never changed after signing.
    signed_content: Mapped[dict | None] = mapped_column(sa.JSON)
    digest: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    actions: Mapped[list["PlanAction"]] = relationship(
        back_populates="plan_version", order_by="PlanAction.position", cascade="all, delete-orphan"
    )
    signatures: Mapped[list["PlanSignature"]] = relationship(
        back_populates="plan_version", order_by="PlanSignature.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_signed(self):
        return self.status in ("signed", "superseded")


class PlanAction(db.Model):
    """One action. ``key`` stays the same across plan versions so progress follows the action."""

    __tablename__ = "plan_actions"
    __table_args__ = (
        sa.CheckConstraint("progress IS NULL OR " + check_in("progress", ACTION_PROGRESS), name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_versions.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(36), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    need_code: Mapped[str | None] = mapped_column(sa.String(50))
    what: Mapped[str] = mapped_column(sa.Text)
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    owner_carer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("carers.id"))
    owner_child_id: Mapped[int | None] = mapped_column(sa.ForeignKey("children.id"))
    owner_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_people.id"))
    owner_name: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    success_measure: Mapped[str] = mapped_column(sa.Text)
    # Latest progress, kept current by TAF members and reviews (history in ActionUpdate).
    progress: Mapped[str | None] = mapped_column(sa.String(20))
    progress_comment: Mapped[str | None] = mapped_column(sa.Text)
    progress_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    plan_version: Mapped[PlanVersion] = relationship(back_populates="actions")
    owner_user = relationship("User", lazy="joined")
    owner_person = relationship("CasePerson")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_family(self):
        """An action the family itself agreed to do (a parent, carer or child owns it)."""
        return self.owner_carer_id is not None or self.owner_child_id is not None

    @property
    def is_open(self):
        return self.progress not in ("done", "no_longer_needed")


class PlanSignature(db.Model):
    __tablename__ = "plan_signatures"
    __table_args__ = (
        sa.CheckConstraint(check_in("signer_kind", SIGNER_KINDS), name="signer_kind"),
        sa.CheckConstraint(check_in("method", SIGNING_METHODS), name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_versions.id"), index=True)
    signer_kind: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    carer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("carers.id"))
    child_id: Mapped[int | None] = mapped_column(sa.ForeignKey("children.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_people.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(200))
    signed_on: Mapped[date] = mapped_column(sa.Date)
    method: Mapped[str] = mapped_column(sa.String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    plan_version: Mapped[PlanVersion] = relationship(back_populates="signatures")
    person = relationship("CasePerson")


class ActionUpdate(db.Model):
    """Progress recorded on an action, by its owner or at a review."""

    __tablename__ = "action_updates"
    __table_args__ = (sa.CheckConstraint(check_in("progress", ACTION_PROGRESS), name="progress"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    action_key: Mapped[str] = mapped_column(sa.String(36), index=True)
    review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reviews.id"))
    progress: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class Review(TimestampMixin, db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        sa.CheckConstraint(check_in("decision", REVIEW_DECISIONS), name="decision"),
        sa.CheckConstraint("family_score BETWEEN 0 AND 10", name="family_score"),
        sa.CheckConstraint("practitioner_score BETWEEN 0 AND 10", name="practitioner_score"),
        sa.Index("ix_reviews_created_at", "created_at"),  # the reports' periods
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    family_view: Mapped[str] = mapped_column(sa.Text)
    family_score: Mapped[int] = mapped_column(sa.Integer)
    practitioner_score: Mapped[int] = mapped_column(sa.Integer)
    decision: Mapped[str] = mapped_column(sa.String(20))
    plan_changed: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class NeedOutcome(db.Model):
    """The outcome for one identified need, recorded when the episode closes."""

    __tablename__ = "need_outcomes"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "need_code", name="uq_need_outcomes_assessment_need"),
        sa.CheckConstraint(check_in("outcome", NEED_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    need_code: Mapped[str] = mapped_column(sa.String(50))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
