"""Paging lists: the one page parser (bounded, so no address can ask for page 10**20) and the one paginator."""

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy.orm import lazyload

from eha.extensions import db
from eha.statement_cache import StatementCache

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
    page = db.paginate(
        select, page=page_number(), per_page=per_page, max_per_page=per_page, error_out=False, count=False
    )
    if page.page == 1 and len(page.items) < per_page:
        page.total = len(page.items)  # a short first page is the whole list: no count query (issue 14)
    else:
        rows = select.options(lazyload("*")).order_by(None).subquery()
        page.total = db.session.scalar(sa.select(sa.func.count()).select_from(rows))
    return page


# Lists count at most this many rows: past it the page says "more than 10,000" rather than count every case.
COUNT_BOUND = 10_000
# A search counts at most this many matches ("more than 500 cases"): a common name's matches grow with the
# county (1,244 Smith cases at 100,000), and no one pages through 500 of them to find a child.
SEARCH_COUNT_BOUND = 500


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
        return f"{self.total:,}" if self.exact else _("more than %(count)s", count=f"{self.total:,}")

    @property
    def pages_text(self):
        return f"{self.pages:,}" if self.exact else _("more than %(count)s", count=f"{self.pages - 1:,}")


_REUSED = StatementCache()


def bounded_paginate(select, id_column, *, options=(), per_page=None, bound=None, reuse_as=None):
    """A page of ``select`` at ``?page=`` with a count that reads at most ``bound`` rows (or as many as it takes
    to reach the page), so a list of 100,000 cases is not counted on every page. ``id_column`` is what the count
    selects; ``options`` (loader options) apply to the page's rows only. Two queries, like ``paginate``, plus
    whatever ``options`` load.

    ``reuse_as``: a key (``eha.statement_cache.per_user`` and the list's name) under which the two statements are
    built once and reused; ``select`` is then a function that builds the list's statement."""
    per_page = per_page or current_app.config["EHA_PAGE_SIZE"]
    page = page_number()
    offset = (page - 1) * per_page
    bound = max(bound or COUNT_BOUND, offset + per_page)

    def build():
        statement = select() if reuse_as is not None else select
        # Only the ids, up to one past the bound: the count is an index range at most ``bound`` long.
        ids = statement.with_only_columns(id_column).order_by(None).limit(bound + 1)
        count = sa.select(sa.func.count()).select_from(ids.subquery())
        return count, statement.options(*options).limit(per_page).offset(offset)

    count, rows = build() if reuse_as is None else _REUSED.get((reuse_as, per_page, offset, bound), build)
    counted = db.session.scalar(count)
    items = []
    if offset < counted:
        items = db.session.scalars(rows).all()
    return BoundedPage(items, page, per_page, counted, bound)


# --- keyset (seek) paging: the case list ---

_SEEK_KEY = re.compile(r"^(undated|[0-9]{4}-[0-9]{2}-[0-9]{2})\.([0-9]{1,18})$")


@dataclass(frozen=True)
class SeekKey:
    """Where a page of a list in ``DueOrder`` starts or ends: a row's due date (None: undated) and id. In an
    address it is ``2027-03-01.1234`` or ``undated.1234``; anything else is no key (the first page)."""

    due: date | None
    id: int

    def __str__(self):
        return f"{self.due.isoformat() if self.due else 'undated'}.{self.id}"

    @classmethod
    def parse(cls, raw):
        match = _SEEK_KEY.match(raw or "")
        if match is None:
            return None
        try:
            due = None if match[1] == "undated" else date.fromisoformat(match[1])
        except ValueError:
            return None
        return cls(due, int(match[2]))


class DueOrder:
    """The order "undated last, soonest due first, newest first among equals": ``(due IS NULL), due, id DESC``,
    which a three-column index holds (``ix_assessments_due_order``). Each seek is one or two index ranges: the
    dated rows from a date on (the few of that same date filtered), then the undated ones, so a deep page
    costs what the first does."""

    def __init__(self, due, ident):
        self.due, self.ident = due, ident

    @property
    def forward(self):
        return (self.due.is_(None), self.due, self.ident.desc())

    @property
    def backward(self):
        return (self.due.is_(None).desc(), self.due.desc(), self.ident)

    def _dated(self):
        # Written as the index's own first column, so the planner starts the range there.
        return self.due.is_(None) == sa.false()

    def after(self, key):
        """The conditions of the rows after ``key``, one per index range, in the list's order."""
        if key.due is None:
            return [sa.and_(self.due.is_(None), self.ident < key.id)]
        same_day_before = sa.and_(self.due == key.due, self.ident >= key.id)
        return [sa.and_(self._dated(), self.due >= key.due, sa.not_(same_day_before)), self.due.is_(None)]

    def before(self, key):
        """The conditions of the rows before ``key``, one per index range, nearest first (``backward``)."""
        if key.due is None:
            return [sa.and_(self.due.is_(None), self.ident > key.id), self._dated()]
        same_day_after = sa.and_(self.due == key.due, self.ident <= key.id)
        return [sa.and_(self._dated(), self.due <= key.due, sa.not_(same_day_after))]

    def key_of(self, row):
        return SeekKey(getattr(row, self.due.key), getattr(row, self.ident.key))


class SeekPage(BoundedPage):
    """A ``BoundedPage`` reached by seek key: the pager's links carry ``next_args`` / ``prev_args`` (the key of
    the row they continue from, and the page's number, which is only shown)."""

    def __init__(self, items, number, per_page, counted, bound, *, has_prev, has_next, order):
        super().__init__(items, number, per_page, counted, bound)
        self.has_prev, self.has_next = has_prev and bool(items), has_next
        self.prev_num = number - 1 if self.has_prev else None
        self.next_num = number + 1 if self.has_next else None
        if self.exact:
            self.pages = max(self.pages, number)
        elif number >= self.pages:
            self.pages = number + 1
        self.next_args = {"after": str(order.key_of(items[-1])), "n": number + 1} if has_next and items else {}
        # Back to page 1 is the list's own address; before it, the key of this page's first row.
        self.prev_args = {} if number <= 2 or not items else {"before": str(order.key_of(items[0])), "n": number - 1}


def _seek(select, order, conditions, backward, limit, columns, by_keys):
    """Up to ``limit`` rows of ``columns`` of ``select`` over the index ranges ``conditions``, in ``order`` (or
    backward), one query per range, and the next range only if the earlier ones ran out. ``by_keys``: each query
    takes the range's ids first, in a subquery that reads the index alone, and then only those rows."""
    order_by = order.backward if backward else order.forward
    rows = []
    for condition in conditions:
        ranged = select.where(condition).order_by(None).order_by(*order_by).limit(limit - len(rows))
        if by_keys:
            keys = ranged.with_only_columns(order.ident).subquery("page_keys")
            page = sa.select(*columns).join(keys, order.ident == keys.c[order.ident.key]).order_by(*order_by)
        else:
            page = ranged.with_only_columns(*columns)
        rows += db.session.execute(page).all()
        if len(rows) >= limit:
            break
    return rows


def _key_of_page(select, order, page, per_page):
    """The key just before page ``page`` of an old ``?page=N`` address: one walk of the ids, once, so a bookmark
    still opens where it did (its links then seek)."""
    row = db.session.execute(
        select.with_only_columns(order.due, order.ident)
        .order_by(None)
        .order_by(*order.forward)
        .offset((page - 1) * per_page - 1)
        .limit(1)
    ).first()
    return SeekKey(row[0], row[1]) if row is not None else None


def seek_paginate(select, order, *, columns, per_page=None, bound=None, search=False):
    """A page of ``select`` (unordered) in ``order`` (a ``DueOrder``) at ``?after=KEY`` or ``?before=KEY``; the
    count stops at ``bound`` (``COUNT_BOUND``). An old ``?page=N`` still opens page N (past the end, the last
    page). The page's items are plain rows of ``columns``, which include the order's two: no ORM objects to
    build, track and expire at commit for each row (issue 14). Queries: the count, the page (a second only where
    the page crosses from dated to undated).

    ``search``: the page's ids are found first and its rows read after, so that PostgreSQL can find a common
    name's first matches by walking the order's index alone (``ix_assessments_due_order`` holds what a search
    reads: migration 0034) instead of reading every match to sort them."""
    per_page = per_page or current_app.config["EHA_PAGE_SIZE"]
    bound = bound or COUNT_BOUND
    ids = select.with_only_columns(order.ident).order_by(None).limit(bound + 1)
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))
    after, before = SeekKey.parse(request.args.get("after")), SeekKey.parse(request.args.get("before"))
    number = page_number("n")
    if after is None and before is None and page_number() > 1:
        number = page_number()
        after = _key_of_page(select, order, number, per_page)
        if after is None:
            # Past the last page (a bookmark kept while the list shrank): its last page, not an empty one that
            # says nothing matches. Past a bound count the cases are counted this once, to find where it is.
            if counted > bound:
                every = select.with_only_columns(order.ident).order_by(None).subquery()
                counted = db.session.scalar(sa.select(sa.func.count()).select_from(every))
            number = max(1, -(-counted // per_page))
            after = _key_of_page(select, order, number, per_page) if number > 1 else None
    if before is not None:
        rows = _seek(select, order, order.before(before), True, per_page + 1, columns, search)
        has_prev = len(rows) > per_page
        items = list(reversed(rows[:per_page]))
        return SeekPage(items, max(number, 2) if has_prev else 1, per_page, counted, bound, has_prev=has_prev,
                        has_next=True, order=order)  # fmt: skip
    conditions = order.after(after) if after is not None else [sa.true()]
    rows = _seek(select, order, conditions, False, per_page + 1, columns, search)
    first = after is None
    return SeekPage(rows[:per_page], 1 if first else max(number, 2), per_page, counted, bound,
                    has_prev=not first, has_next=len(rows) > per_page, order=order)  # fmt: skip
