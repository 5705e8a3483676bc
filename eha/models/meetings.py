"""TAF and review meetings, who was invited and who came."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eha.extensions import db
from eha.models.base import TimestampMixin
from eha.models.choices import INVITE_METHODS, MEETING_KINDS, MEETING_STATUSES, check_in


class Meeting(TimestampMixin, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        sa.CheckConstraint(check_in("kind", MEETING_KINDS), name="kind"),
        sa.CheckConstraint(check_in("status", MEETING_STATUSES), name="status"),
        # Timeliness reads each case's held meetings in date order (the gap since the last one): migration 0021.
        sa.Index(
            "ix_meetings_held",
            "assessment_id",
            "held_on",
            "id",
            postgresql_include=["kind"],
            postgresql_where=sa.text("status = 'held'"),
            sqlite_where=sa.text("status = 'held'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="scheduled")
    scheduled_for: Mapped[datetime] = mapped_column(sa.DateTime)
    place: Mapped[str | None] = mapped_column(sa.String(300))
    video_link: Mapped[str | None] = mapped_column(sa.String(500))
    held_on: Mapped[date | None] = mapped_column(sa.Date)
    agenda: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    decisions: Mapped[str | None] = mapped_column(sa.Text)
    next_review_on: Mapped[date | None] = mapped_column(sa.Date)
    # Why the next review is further off than the review interval (EHA_REVIEW_INTERVAL_WEEKS), as the lead said.
    next_review_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Who the meeting agreed should be lead professional (recorded when the meeting is recorded as held).
    lead_agreed_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    participants: Mapped[list["MeetingParticipant"]] = relationship(
        back_populates="meeting", order_by="MeetingParticipant.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def kind_label(self):
        return MEETING_KINDS.get(self.kind, self.kind)


class MeetingParticipant(db.Model):
    """Someone invited to a meeting: a professional (user), a family member (carer or child), or a person on the
    case without an account (``person``: the family's network, a GP, an advocate)."""

    __tablename__ = "meeting_participants"
    __table_args__ = (
        sa.CheckConstraint("invited_how IS NULL OR " + check_in("invited_how", INVITE_METHODS), name="invited_how"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    carer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("carers.id"))
    child_id: Mapped[int | None] = mapped_column(sa.ForeignKey("children.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_people.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    agency_name: Mapped[str | None] = mapped_column(sa.String(200))
    attended: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    apologies: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    invited_how: Mapped[str | None] = mapped_column(sa.String(20))
    communication_needs: Mapped[str | None] = mapped_column(sa.Text)
    # The language of an interpreter booked for this meeting (None when none is booked).
    interpreter_language: Mapped[str | None] = mapped_column(sa.String(100))
    # The written update sent with apologies.
    apologies_update: Mapped[str | None] = mapped_column(sa.Text)

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    user = relationship("User")
    person = relationship("CasePerson")

    @property
    def is_family(self):
        return self.user_id is None and self.person_id is None
