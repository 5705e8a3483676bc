"""Dates, times and small text helpers, GOV.UK style: the one copy of each.

Dates read "5 March 2024" (no leading zero), times "2:30pm" (GOV.UK style guide, "Times"); pages, PDFs,
audit texts and flash messages all use these, so a date never prints two ways.

Two kinds of time are stored: the moments eha records (``created_at``, an audit event's ``occurred_at``…) are
naive UTC and are shown in Europe/London with ``format_timestamp``; the times people type (a meeting's
``scheduled_for``) are already UK wall-clock times and are shown as typed with ``format_datetime``.
"""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

LONDON = ZoneInfo("Europe/London")

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


def format_date(value, fmt="long", language="en"):
    """ "5 March 2024" (``fmt="short"``: "5 Mar 2024"); ``""`` for nothing; a string that is not a date as it is.
    ``language`` another code than "en" ("cy": "5 Mawrth 2024") takes the month from Babel's CLDR data."""
    if value is None or value == "":
        return ""
    parsed = _as_date(value)
    if parsed is None:
        return value
    if language != "en":
        return babel_dates.format_date(parsed, "d MMM y" if fmt == "short" else "d MMMM y", locale=language)
    month = MONTHS[parsed.month - 1]
    return f"{parsed.day} {month[:3] if fmt == 'short' else month} {parsed.year}"


def month_label(year, month, language="en"):
    """A month in a report's table or chart: "Mar 2026", in Welsh "Maw 2026" (Babel's CLDR abbreviations)."""
    if language != "en":
        return babel_dates.format_date(date(year, month, 1), "LLL y", locale=language)
    return f"{MONTHS[month - 1][:3]} {year}"


# The 12-hour clock's suffixes: GOV.UK's "am"/"pm", Welsh "yb" (y bore) and "yh" (yr hwyr). Other languages print
# the 24-hour time their CLDR data gives.
_DAY_PERIODS = {"en": ("am", "pm"), "cy": ("yb", "yh")}


def format_time(value, language="en"):
    """ "9am", "2:30pm" (Welsh: "9yb", "2:30yh"; Polish "14:30")."""
    periods = _DAY_PERIODS.get(language)
    if periods is None:
        return babel_dates.format_time(value, "HH:mm", locale=language)
    hour = value.hour % 12 or 12
    minutes = "" if value.minute == 0 else f":{value.minute:02d}"
    return f"{hour}{minutes}{periods[0] if value.hour < 12 else periods[1]}"


# "at" between a date and a time, in the languages eha's pages and plans are written in.
_AT = {"en": "at", "cy": "am"}


def format_datetime(value, language="en"):
    """ "5 March 2024 at 2:30pm"; ``""`` for nothing."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_date(value, language=language)
    at = _AT.get(language, ",")
    joiner = f" {at} " if at != "," else ", "
    return f"{format_date(value, language=language)}{joiner}{format_time(value, language=language)}"


def london_time(value):
    """A stored moment (naive UTC, or aware) as a naive Europe/London wall-clock time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON).replace(tzinfo=None)


def format_timestamp(value, with_time=True, language="en"):
    """A stored moment in UK time: "5 March 2024 at 2:30pm" (``with_time=False``: "5 March 2024")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return format_date(value, language=language)
    local = london_time(value)
    return format_datetime(local, language=language) if with_time else format_date(local, language=language)


def now_in_london():
    """The time now in the UK (naive wall-clock time), for "Printed on …"."""
    return london_time(datetime.now(UTC))


_SENTENCES = re.compile(r"(?<=[.!?])\s+")
# 999 on its own, not a part of a phone number ("0300 999 1234", "0300 123 9999").
_EMERGENCY = re.compile(r"(?<!\d)(?<!\d )999(?! ?\d)")


def without_emergency_line(text):
    """The front door's contact text without its own "call 999" sentence, for pages that say it once themselves."""
    sentences = [s for s in _SENTENCES.split(text or "") if not _EMERGENCY.search(s)]
    return " ".join(sentences).strip()


def family_label(name):
    """A family's name as a sentence uses it after "the": "The Yıldız family" -> "Yıldız family",
    "Yıldız" -> "Yıldız family", so no page reads "the The Yıldız family family"."""
    text = (name or "").strip()
    if text[:4].casefold() == "the ":
        text = text[4:].lstrip()
    if not text.casefold().endswith("family"):
        text = f"{text} family"
    return text


def lower_first(text):
    """ "Agree the plan" -> "agree the plan", for a label used inside a sentence."""
    return text[:1].lower() + text[1:] if text else ""


def age_on(born, on):
    """Age in whole years on the day ``on`` (a birthday on 29 February counts from 1 March in other years)."""
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - (1 if before_birthday else 0)
