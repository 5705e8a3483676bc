"""Families (households), the children and adults in them, their network and agencies involved."""

import unicodedata
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eha.extensions import db
from eha.models.base import TimestampMixin
from eha.models.choices import SEXES, check_in


class Family(TimestampMixin, db.Model):
    __tablename__ = "families"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.Text)
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(sa.Integer, default=1, nullable=False)

    children: Mapped[list["Child"]] = relationship(
        back_populates="family", order_by="Child.date_of_birth", cascade="all, delete-orphan"
    )
    carers: Mapped[list["Carer"]] = relationship(
        back_populates="family", order_by="Carer.id", cascade="all, delete-orphan"
    )
    network: Mapped[list["NetworkMember"]] = relationship(
        back_populates="family", order_by="NetworkMember.id", cascade="all, delete-orphan"
    )
    involved_agencies: Mapped[list["InvolvedAgency"]] = relationship(
        back_populates="family", order_by="InvolvedAgency.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}


# Latin letters that are not a base letter plus a combining mark, so NFKD leaves them alone.
_FOLD_LETTERS = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ø": "o",
        "Ø": "o",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
    }
)


def fold_name(text):
    """A name as search compares it (Child.search_* hold this): no accents, no case.

    "Łódź" -> "lodz", "Yıldız" -> "yildiz", "Nguyễn" -> "nguyen", "Strauß" -> "strauss".
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_FOLD_LETTERS).casefold()


class Child(TimestampMixin, db.Model):
    __tablename__ = "children"
    __table_args__ = (
        sa.CheckConstraint(check_in("sex", SEXES), name="sex"),
        # The consistent identifier belongs to one child (migration 0012): a partial index, so children without
        # a number recorded are not counted as sharing one.
        sa.Index(
            "uq_children_nhs_number",
            "nhs_number",
            unique=True,
            sqlite_where=sa.text("nhs_number IS NOT NULL"),
            postgresql_where=sa.text("nhs_number IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("families.id"), index=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    # Lower-cased copies for searching without a function index.
    search_first_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    search_last_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    date_of_birth: Mapped[date] = mapped_column(sa.Date, index=True)
    sex: Mapped[str] = mapped_column(sa.String(20), default="not_known")
    school: Mapped[str | None] = mapped_column(sa.String(200))
    # The NHS number is the child's consistent identifier (Children's Wellbeing and Schools Act 2026): named
    # for what it is, ten digits without spaces, unique (``uq_children_nhs_number``).
    nhs_number: Mapped[str | None] = mapped_column(sa.String(10))

    family: Mapped[Family] = relationship(back_populates="children")

    @property
    def name(self):
        return self.name_of(self.first_name, self.last_name)

    @staticmethod
    def name_of(first_name, last_name):
        """A child's name as pages show it, from its two parts (a list reads the parts, not the child)."""
        return f"{first_name} {last_name}"

    def set_names(self, first_name, last_name):
        self.first_name = first_name
        self.last_name = last_name
        # Folding can lengthen a name ("ß" -> "ss"): keep within the column.
        self.search_first_name = fold_name(first_name)[:100]
        self.search_last_name = fold_name(last_name)[:100]


class Carer(TimestampMixin, db.Model):
    """A parent or carer (or another adult in the household)."""

    __tablename__ = "carers"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("families.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    relationship_to_child: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    email: Mapped[str | None] = mapped_column(sa.String(320))
    address: Mapped[str | None] = mapped_column(sa.Text)
    preferred_language: Mapped[str | None] = mapped_column(sa.String(100))
    interpreter_needed: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    family: Mapped[Family] = relationship(back_populates="carers")


class NetworkMember(TimestampMixin, db.Model):
    """Someone in the wider family network (grandparent, neighbour, family friend)."""

    __tablename__ = "network_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("families.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    relationship_to_family: Mapped[str] = mapped_column(sa.String(100))
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    support_offered: Mapped[str | None] = mapped_column(sa.Text)

    family: Mapped[Family] = relationship(back_populates="network")


class InvolvedAgency(TimestampMixin, db.Model):
    """An agency already working with the family, on record or named freely."""

    __tablename__ = "involved_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("families.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    agency_name: Mapped[str] = mapped_column(sa.String(200))
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_details: Mapped[str | None] = mapped_column(sa.String(300))
    involvement: Mapped[str | None] = mapped_column(sa.Text)

    family: Mapped[Family] = relationship(back_populates="involved_agencies")
