"""Dates, times and small text helpers, GOV.UK style: the one copy of each.

Dates read "5 March 2024" (no leading zero), times "2:30pm" (GOV.UK style guide, "Times"); pages, PDFs,
audit texts and flash messages all use these, so a date never prints two ways.
"""

from datetime import date, datetime

# Not strftime's %B: that follows the process locale, and a page or a PDF must not change with the server's.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _as_date(value):
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value


def format_date(value, fmt="long"):
    """ "5 March 2024" (``fmt="short"``: "5 Mar 2024"); ``""`` for nothing; a string that is not a date as it is."""
    if value is None or value == "":
        return ""
    parsed = _as_date(value)
    if parsed is None:
        return value
    month = MONTHS[parsed.month - 1]
    return f"{parsed.day} {month[:3] if fmt == 'short' else month} {parsed.year}"


def format_time(value):
    """ "9am", "2:30pm"."""
    hour = value.hour % 12 or 12
    minutes = "" if value.minute == 0 else f":{value.minute:02d}"
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def format_datetime(value):
    """ "5 March 2024 at 2:30pm"; ``""`` for nothing."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_date(value)
    return f"{format_date(value)} at {format_time(value)}"


def lower_first(text):
    """ "Agree the plan" -> "agree the plan", for a label used inside a sentence."""
    return text[:1].lower() + text[1:] if text else ""


def age_on(born, on):
    """Age in whole years on the day ``on`` (a birthday on 29 February counts from 1 March in other years)."""
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - (1 if before_birthday else 0)
