"""What each message says: the case reference, what is due, a link. Never a family member's name or case content:
email is not an OFFICIAL-SENSITIVE channel, so the reader follows the link and signs in to see the rest."""

from dataclasses import dataclass

from flask import current_app

from eha.auth.recovery import DEVELOPMENT_BASE_URL
from eha.formatting import format_date, format_datetime
from eha.models.choices import MEETING_KINDS


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    link: str


def base_url():
    return (current_app.config.get("EHA_BASE_URL") or DEVELOPMENT_BASE_URL).rstrip("/")


def link(path):
    return base_url() + path


def case_link(ref, path=""):
    return link(f"/assessments/{ref}{path}")


def _footer():
    config = current_app.config
    return (
        f"\n\nThis email does not include any details of the family. Sign in to eha to see them.\n"
        f"{config['EHA_ORGANISATION_NAME']}, {config['EHA_SERVICE_NAME']}. Questions: {config['EHA_SUPPORT_EMAIL']}\n"
    )


def _kind(meeting):
    return MEETING_KINDS.get(meeting.kind, "Meeting").lower()


def invitation(meeting, ref, change):
    """``change``: "invitation", "invitation_update" or "invitation_cancel"."""
    url = case_link(ref, f"/meetings/{meeting.id}")
    when = format_datetime(meeting.scheduled_for)
    kind = _kind(meeting)
    subject, opening = {
        "invitation": (f"Invitation: {kind} for {ref}", f"You are invited to a {kind} for case {ref} on {when}."),
        "invitation_update": (
            f"Changed: {kind} for {ref}",
            f"The {kind} for case {ref} has changed. It is now {when}.",
        ),
        "invitation_cancel": (f"Cancelled: {kind} for {ref}", f"The {kind} for case {ref} on {when} is cancelled."),
    }[change]
    how = "" if change == "invitation_cancel" else "\n\nWhere it is, and how to join, is on the meeting's page."
    return Message(subject, f"{opening}{how}\n\n{url}{_footer()}", url)


def action_owned(ref, due_on):
    url = case_link(ref, "/plan")
    due = f" It is due by {format_date(due_on)}." if due_on else ""
    body = f"You own a new action in the plan for case {ref}.{due}\n\nSee the action in the plan:\n\n{url}{_footer()}"
    return Message(f"You own a new action: {ref}", body, url)


def access_ended(ref):
    url = link("/")
    body = (
        f"The family withdrew their agreement to early help for case {ref}, so you no longer have access to it.\n\n"
        f"If you still have a concern about a child's safety, follow your safeguarding procedures.\n\n{url}{_footer()}"
    )
    return Message(f"You no longer have access to {ref}", body, url)


def _item_line(item):
    return f"- {item.ref}: {item.what}, due {format_date(item.due_on)} - {case_link(item.ref)}"


def daily_digest(day, overdue, due_soon, working_days):
    url = link("/")
    parts = [f"What is due on your early help cases, {format_date(day)}."]
    if overdue:
        parts.append(f"Overdue ({len(overdue)}):\n" + "\n".join(_item_line(i) for i in overdue))
    if due_soon:
        parts.append(f"Due in the next {working_days} working days ({len(due_soon)}):\n")
        parts[-1] += "\n".join(_item_line(i) for i in due_soon)
    parts.append(f"Your cases: {url}")
    subject = f"Early help: {len(overdue)} overdue, {len(due_soon)} due soon ({format_date(day, 'short')})"
    return Message(subject, "\n\n".join(parts) + _footer() + _preferences(), url)


def weekly_digest(day, summary):
    url = link("/reports")
    body = (
        f"Early help this week, {format_date(day)}.\n\n"
        f"Open cases: {summary.open_cases}\n"
        f"Cases with something overdue: {summary.overdue}\n"
        f"Reviews overdue (drift): {summary.reviews_overdue}\n"
        f"Closures waiting for your sign-off: {summary.sign_offs}\n\n"
        f"Reports: {url}{_footer()}{_preferences()}"
    )
    return Message(f"Early help weekly summary ({format_date(day, 'short')})", body, url)


def _preferences():
    return f"Choose which summaries you get: {link('/account/notifications')}\n"
