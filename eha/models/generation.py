"""The change generation (eha/page_cache.py): one row whose number every transaction that changes shown data bumps,
so a process can tell that a page it kept may be out of date. Written with raw SQL by the engine's commit event."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eha.extensions import db


class ChangeGeneration(db.Model):
    __tablename__ = "change_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
