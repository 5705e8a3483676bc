"""Information governance (issue 19): legal holds, disposal batches, subject access requests and corrections.

Everything here is a register about the case records, so it outlives their disposal: a disposal batch keeps the
case ids and references it disposed of (never names), and the audit trail keeps who did what.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eha.extensions import db
from eha.models.base import utcnow
from eha.models.choices import (
    CORRECTABLE_RECORDS,
    DISPOSAL_STATUSES,
    SAR_EXEMPTIONS,
    SAR_PERSON_KINDS,
    SAR_STATUSES,
    check_in,
)


class LegalHold(db.Model):
    """A case, or a whole family, under investigation or litigation: never disposed of while the hold stands."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        sa.CheckConstraint("(assessment_id IS NULL) <> (family_id IS NULL)", name="one_target"),
        sa.Index("ix_legal_holds_assessment_id", "assessment_id"),
        sa.Index("ix_legal_holds_family_id", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessments.id"))
    family_id: Mapped[int | None] = mapped_column(sa.ForeignKey("families.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    placed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(sa.Text)
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    placed_by = relationship("User", foreign_keys=[placed_by_id])
    lifted_by = relationship("User", foreign_keys=[lifted_by_id])

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_active(self):
        return self.lifted_at is None


class DisposalBatch(db.Model):
    """The cases a retention review found due, as one batch a manager approves before any is disposed of."""

    __tablename__ = "disposal_batches"
    __table_args__ = (sa.CheckConstraint(check_in("status", DISPOSAL_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    rule: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    approved_by = relationship("User", foreign_keys=[approved_by_id])
    items: Mapped[list["DisposalItem"]] = relationship(
        back_populates="batch", order_by="DisposalItem.case_ref", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}


class DisposalItem(db.Model):
    """One case in a batch: due on ``due_on`` under the batch's rule; ``disposed_at`` once it is gone."""

    __tablename__ = "disposal_items"
    __table_args__ = (sa.UniqueConstraint("batch_id", "assessment_id", name="uq_disposal_items_batch_assessment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("disposal_batches.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    case_ref: Mapped[str] = mapped_column(sa.String(20))
    due_on: Mapped[date] = mapped_column(sa.Date)
    disposed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Why it was not disposed of when the batch ran (placed on hold since, reopened): a code, never free text.
    skipped: Mapped[str | None] = mapped_column(sa.String(40))

    batch: Mapped[DisposalBatch] = relationship(back_populates="items")


class SubjectAccessRequest(db.Model):
    """A person's request for everything held about them: one calendar month to answer (UK GDPR Art. 12(3))."""

    __tablename__ = "subject_access_requests"
    __table_args__ = (
        sa.CheckConstraint(check_in("status", SAR_STATUSES), name="status"),
        sa.CheckConstraint(check_in("person_kind", SAR_PERSON_KINDS), name="person_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_kind: Mapped[str] = mapped_column(sa.String(20))
    person_id: Mapped[int] = mapped_column(sa.Integer)
    # The register of requests needs to say whose request it is, even after the records are disposed of.
    subject_name: Mapped[str] = mapped_column(sa.String(200))
    received_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="redaction")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    exported_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    redactions: Mapped[list["SarRedaction"]] = relationship(
        back_populates="request", order_by="SarRedaction.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}


class SarRedaction(db.Model):
    """A third party whose personal data is withheld from a request's export, marked by a practitioner (the lead
    professional of one of the request's cases, or a manager) with the exemption relied on and why; a manager
    reviews the marks before the export is produced. No link to a case: disposing of one of the cases must not
    take the register's record of what was withheld with it."""

    __tablename__ = "sar_redactions"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "person_kind", "person_id", name="uq_sar_redactions_person"),
        sa.CheckConstraint(check_in("person_kind", SAR_PERSON_KINDS), name="person_kind"),
        sa.CheckConstraint(check_in("exemption", SAR_EXEMPTIONS), name="exemption"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("subject_access_requests.id"), index=True)
    person_kind: Mapped[str] = mapped_column(sa.String(20))
    person_id: Mapped[int] = mapped_column(sa.Integer)
    exemption: Mapped[str] = mapped_column(sa.String(40), default="third_party", server_default="third_party")
    reason: Mapped[str | None] = mapped_column(sa.Text)
    marked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    request: Mapped[SubjectAccessRequest] = relationship(back_populates="redactions")
    marked_by = relationship("User")


class FactCorrection(db.Model):
    """Rectification (UK GDPR Art. 16): what a fact said before a correction, who changed it, when and why."""

    __tablename__ = "fact_corrections"
    __table_args__ = (
        sa.CheckConstraint(check_in("record_kind", CORRECTABLE_RECORDS), name="record_kind"),
        sa.Index("ix_fact_corrections_record", "record_kind", "record_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    record_kind: Mapped[str] = mapped_column(sa.String(20))
    record_id: Mapped[int] = mapped_column(sa.Integer)
    field: Mapped[str] = mapped_column(sa.String(40))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    corrected_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    corrected_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    corrected_by = relationship("User")

    @property
    def old_shown(self):
        """What the fact said before, as a page shows it ("14 February 2013", not the stored "2013-02-14")."""
        return shown_fact(self.field, self.old_value)

    @property
    def new_shown(self):
        return shown_fact(self.field, self.new_value)


DATE_FACTS = frozenset({"date_of_birth"})


def shown_fact(field, value):
    """A stored fact's text for a reader: None or "" as "Not recorded", a date in GOV.UK style."""
    from eha.formatting import format_date

    if value is None or value == "":
        return "Not recorded"
    if field in DATE_FACTS:
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value
