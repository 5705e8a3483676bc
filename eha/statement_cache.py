"""Statements built once per user and reused by that user's later requests (issue 14, part 5).

Building a page's SQL (the access filter's unions, My cases' correlated subqueries) and letting SQLAlchemy walk
it for its cache key cost a fifth of My cases' CPU, on every request, for a statement that only changes when
the user's id, agency, role or standing, or the day, does. A statement is immutable, and SQLAlchemy memoises the
cache key of one statement object, so the same object, executed again, costs neither. The SQL's answer is not
cached: the database is asked every time.

``per_user(user)`` is the part of the key that the access rules read from the user; ``today`` is in it because
duty-to-share grants end on a date. A cached statement holds no ORM objects, only the values it was built with.
"""

from datetime import date

MAX_ENTRIES = 512


class StatementCache:
    """A bounded per-process dict of statements. Emptied when full: a busy process rebuilds the few it needs."""

    def __init__(self, max_entries=MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries = {}

    def get(self, key, build):
        statement = self._entries.get(key)
        if statement is None:
            statement = build()
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = statement
        return statement

    def clear(self):
        self._entries.clear()


def per_user(user):
    """What a statement built for ``user`` depends on, today (see the module's docstring)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    return (user.id, user.agency_id, user.role, bool(user.is_active), date.today())
