"""iCalendar invitations for meetings (RFC 5545 and iTIP, RFC 5546) with the ``icalendar`` library.

An invitation is ``METHOD:REQUEST`` with the lead professional as ORGANIZER and each invitee as an ATTENDEE, so
Outlook and Google Calendar offer accept and decline; a change sends the same UID with a higher SEQUENCE; a
cancellation is ``METHOD:CANCEL``. The calendar text holds the case reference and the meeting's kind, never a
family member's name or case content ("TAF meeting EHA-000123"). Meeting times are the wall-clock times the lead
typed, so DTSTART carries TZID=Europe/London.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale, gettext, lazy_gettext
from icalendar import Calendar, Event, vCalAddress, vText

from eha.models.base import utcnow

LONDON = ZoneInfo("Europe/London")
MEETING_MINUTES = 60
PRODID = "-//eha//Early help meetings//EN"
SHORT_KINDS = {
    "taf": lazy_gettext("TAF meeting"),
    "review": lazy_gettext("Review meeting"),
    "family_network": lazy_gettext("Family network meeting"),
}


def uid(meeting, domain):
    """The meeting's UID: the same for its invitation, every update and the cancellation."""
    return f"eha-meeting-{meeting.id}@{domain}"


def summary(meeting, case_ref):
    return f"{SHORT_KINDS.get(meeting.kind, lazy_gettext('Meeting'))} {case_ref}"


def _address(email, name=None, role=None):
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
    return address


def meeting_calendar(meeting, *, method, case_ref, sequence, organiser, attendees, link, domain, language="en"):
    """The iCalendar text for ``meeting``, its words in ``language``. ``organiser`` is ``(email, name)``;
    ``attendees`` a list of emails (professionals' names are theirs to show, but invitees without an account may be
    family: no names at all)."""
    with force_locale(language):
        return _calendar(meeting, method, case_ref, sequence, organiser, attendees, link, domain)


def _calendar(meeting, method, case_ref, sequence, organiser, attendees, link, domain):
    start = meeting.scheduled_for.replace(tzinfo=LONDON)
    event = Event()
    event.add("uid", uid(meeting, domain))
    event.add("sequence", sequence)
    event.add("dtstamp", utcnow().replace(tzinfo=ZoneInfo("UTC")))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=MEETING_MINUTES))
    event.add("summary", summary(meeting, case_ref))
    event.add("description", gettext("Details in eha: %(link)s", link=link))
    event.add("url", link)
    if meeting.video_link:
        event.add("location", gettext("Video call (link in eha)"))
    elif meeting.place:
        event.add("location", gettext("See eha for the place"))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _address(organiser[0], organiser[1]))
    for email in attendees:
        event.add("attendee", _address(email, role="REQ-PARTICIPANT"))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(event)
    calendar.add_missing_timezones()  # a VTIMEZONE for Europe/London, which Outlook needs
    return calendar.to_ical().decode("utf-8")
