"""Refill the children's search names in their folded form (no accents, no case).

Search now matches "Lodz" to "Łódź" and "Nguyen" to "Nguyễn": ``Child.set_names`` stores folded copies.
Rows saved before stored only lower-cased copies; this recomputes them. Data only, no schema change.

Revision ID: 0003_fold_child_search_names
Revises: 0002_audit_append_only
Create Date: 2026-11-24

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003_fold_child_search_names"
down_revision = "0002_audit_append_only"
branch_labels = None
depends_on = None

# A frozen copy of eha.models.families.fold_name as it was when this migration was written.
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


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_FOLD_LETTERS).casefold()[:100]


children = sa.table(
    "children",
    sa.column("id", sa.Integer),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
    sa.column("search_first_name", sa.String),
    sa.column("search_last_name", sa.String),
)


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(children.c.id, children.c.first_name, children.c.last_name)).all()
    for row in rows:
        bind.execute(
            children.update()
            .where(children.c.id == row.id)
            .values(search_first_name=_fold(row.first_name), search_last_name=_fold(row.last_name))
        )


def downgrade():
    # The lower-cased form the earlier code stored.
    bind = op.get_bind()
    rows = bind.execute(sa.select(children.c.id, children.c.first_name, children.c.last_name)).all()
    for row in rows:
        bind.execute(
            children.update()
            .where(children.c.id == row.id)
            .values(search_first_name=row.first_name.casefold(), search_last_name=row.last_name.casefold())
        )
