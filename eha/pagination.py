"""Paging lists: the one page parser (bounded, so no address can ask for page 10**20) and the one paginator."""

import sqlalchemy as sa
from flask import current_app, request

from eha.extensions import db

MAX_PAGE = 100_000


def page_number(name="page"):
    """``?page=N`` as an int from 1 to ``MAX_PAGE``; anything else (letters, ``-3``, 20 digits) is page 1 or the
    last allowed page, never an error."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit():
        return 1
    if len(raw) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(raw), 1), MAX_PAGE)


def paginate(select, per_page=None):
    """A Flask-SQLAlchemy page of ``select`` at ``?page=``; past the last page it is empty, not a 404."""
    per_page = per_page or current_app.config["EHA_PAGE_SIZE"]
    return db.paginate(
        select, page=page_number(), per_page=per_page, max_per_page=per_page, error_out=False, count=True
    )


# Lists count at most this many rows: past it the page says "more than 10,000" rather than count every case.
COUNT_BOUND = 10_000


class BoundedPage:
    """A page of a list whose count stops at a bound (the page's own rows are always within it).

    The same attributes the pager reads from Flask-SQLAlchemy's pagination (``items``, ``page``, ``pages``,
    ``total``, ``has_prev``, ``has_next``, ``prev_num``, ``next_num``); when the count stopped at the bound,
    ``exact`` is False, ``total`` is the bound and ``total_text`` / ``pages_text`` say "more than"."""

    def __init__(self, items, page, per_page, counted, bound):
        self.items = items
        self.page = page
        self.per_page = per_page
        self.exact = counted <= bound
        self.total = min(counted, bound)
        self.pages = max(1, -(-self.total // per_page)) + (0 if self.exact else 1)
        self.has_prev = page > 1
        self.prev_num = page - 1 if self.has_prev else None
        self.has_next = page * per_page < counted
        self.next_num = page + 1 if self.has_next else None

    @property
    def total_text(self):
        return f"{self.total:,}" if self.exact else f"more than {self.total:,}"

    @property
    def pages_text(self):
        return f"{self.pages:,}" if self.exact else f"more than {self.pages - 1:,}"


def bounded_paginate(select, id_column, *, options=(), per_page=None, bound=None):
    """A page of ``select`` at ``?page=`` with a count that reads at most ``bound`` rows (or as many as it takes
    to reach the page), so a list of 100,000 cases is not counted on every page. ``id_column`` is what the count
    selects; ``options`` (loader options) apply to the page's rows only. Two queries, like ``paginate``, plus
    whatever ``options`` load."""
    per_page = per_page or current_app.config["EHA_PAGE_SIZE"]
    page = page_number()
    offset = (page - 1) * per_page
    bound = max(bound or COUNT_BOUND, offset + per_page)
    # Only the ids, up to one past the bound: the count is an index range at most ``bound`` long.
    ids = select.with_only_columns(id_column).order_by(None).limit(bound + 1)
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))
    items = []
    if offset < counted:
        items = db.session.scalars(select.options(*options).limit(per_page).offset(offset)).all()
    return BoundedPage(items, page, per_page, counted, bound)
