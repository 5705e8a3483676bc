"""TAF and review meetings, who was invited and who came."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eha.extensions import db
from eha.models.base import TimestampMixin
from eha.models.choices import MEETING_KINDS, MEETING_STATUSES, check_in


class Meeting(TimestampMixin, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        sa.CheckConstraint(check_in("kind", MEETING_KINDS), name="kind"),
        sa.CheckConstraint(check_in("status", MEETING_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="scheduled")
    scheduled_for: Mapped[datetime] = mapped_column(sa.DateTime)
    place: Mapped[str | None] = mapped_column(sa.String(300))
    video_link: Mapped[str | None] = mapped_column(sa.String(500))
    held_on: Mapped[date | None] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    decisions: Mapped[str | None] = mapped_column(sa.Text)
    next_review_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    participants: Mapped[list["MeetingParticipant"]] = relationship(
        back_populates="meeting", order_by="MeetingParticipant.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def kind_label(self):
        return MEETING_KINDS.get(self.kind, self.kind)


class MeetingParticipant(db.Model):
    """A professional (user) or family member (carer or child) invited to a meeting."""

    __tablename__ = "meeting_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    carer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("carers.id"))
    child_id: Mapped[int | None] = mapped_column(sa.ForeignKey("children.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    agency_name: Mapped[str | None] = mapped_column(sa.String(200))
    attended: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    apologies: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    user = relationship("User")

    @property
    def is_family(self):
        return self.user_id is None
