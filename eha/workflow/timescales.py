"""Timescales in working days: weekends and England and Wales bank holidays are not working days."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year):
    # England and Wales share bank holidays; the package's "ENG" subdivision gives them, with substitute days.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day):
    return day in _bank_holidays(day.year)


def is_working_day(day):
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start, n):
    """The date ``n`` working days after ``start`` (``start`` itself does not count); n=0 gives ``start``."""
    day = start
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a, b):
    """Working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``)."""
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def add_weeks(start, weeks):
    return start + timedelta(weeks=weeks)


def due_status(case, today=None):
    """``(label, due_date, overdue)`` for what is due next on ``case``; ``(None, None, False)`` when nothing is."""
    today = today or date.today()
    if not case.is_open or case.next_due_on is None:
        return (None, None, False)
    return (case.next_due_label, case.next_due_on, case.next_due_on < today)
