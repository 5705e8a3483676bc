"""What each message says: the case reference, what is due, a link. Never a family member's name or case content:
email is not an OFFICIAL-SENSITIVE channel, so the reader follows the link and signs in to see the rest.

Each message is written in its reader's language (``User.language``: English or Welsh, issue 18); people without
an account get English. The text is composed when the message is queued, so the outbox stores what was sent."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext, lazy_gettext

from eha.auth.recovery import DEVELOPMENT_BASE_URL
from eha.formatting import format_date, format_datetime
from eha.i18n import LANGUAGES

# A meeting's kind as a sentence uses it ("You are invited to a review meeting…").
KINDS = {
    "taf": lazy_gettext("team around the family meeting"),
    "review": lazy_gettext("review meeting"),
    "family_network": lazy_gettext("family network meeting"),
}

# What a digest line says is due when the case has no label of its own (eha.notifications.digests), here so the
# catalogue has them; the workflow's own labels are marked where they are defined.
DIGEST_ITEMS = (lazy_gettext("Next step"), lazy_gettext("An action you own"))


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    link: str


def language_of(user):
    """The language to write to ``user`` in (None, a person without an account: English)."""
    code = getattr(user, "language", None)
    return code if code in LANGUAGES else "en"


def base_url():
    return (current_app.config.get("EHA_BASE_URL") or DEVELOPMENT_BASE_URL).rstrip("/")


def link(path):
    return base_url() + path


def case_link(ref, path=""):
    return link(f"/assessments/{ref}{path}")


def _footer():
    config = current_app.config
    return "\n\n" + gettext(
        "This email does not include any details of the family. Sign in to eha to see them.\n"
        "%(organisation)s, %(service)s. Questions: %(email)s\n",
        organisation=config["EHA_ORGANISATION_NAME"],
        service=config["EHA_SERVICE_NAME"],
        email=config["EHA_SUPPORT_EMAIL"],
    )


def _kind(meeting):
    return str(KINDS.get(meeting.kind, lazy_gettext("meeting")))


def invitation(meeting, ref, change, language="en"):
    """``change``: "invitation", "invitation_update" or "invitation_cancel"."""
    url = case_link(ref, f"/meetings/{meeting.id}")
    with force_locale(language):
        when = format_datetime(meeting.scheduled_for, language=language)
        kind = _kind(meeting)
        if change == "invitation":
            subject = gettext("Invitation: %(kind)s for %(ref)s", kind=kind, ref=ref)
            opening = gettext(
                "You are invited to a %(kind)s for case %(ref)s on %(when)s.", kind=kind, ref=ref, when=when
            )
        elif change == "invitation_update":
            subject = gettext("Changed: %(kind)s for %(ref)s", kind=kind, ref=ref)
            opening = gettext(
                "The %(kind)s for case %(ref)s has changed. It is now %(when)s.", kind=kind, ref=ref, when=when
            )
        else:
            subject = gettext("Cancelled: %(kind)s for %(ref)s", kind=kind, ref=ref)
            opening = gettext("The %(kind)s for case %(ref)s on %(when)s is cancelled.", kind=kind, ref=ref, when=when)
        how = (
            ""
            if change == "invitation_cancel"
            else "\n\n" + gettext("Where it is, and how to join, is on the meeting's page.")
        )
        return Message(subject, f"{opening}{how}\n\n{url}{_footer()}", url)


def action_owned(ref, due_on, language="en"):
    url = case_link(ref, "/plan")
    with force_locale(language):
        due = " " + gettext("It is due by %(date)s.", date=format_date(due_on, language=language)) if due_on else ""
        body = (
            gettext("You own a new action in the plan for case %(ref)s.", ref=ref)
            + f"{due}\n\n"
            + gettext("See the action in the plan:")
            + f"\n\n{url}{_footer()}"
        )
        return Message(gettext("You own a new action: %(ref)s", ref=ref), body, url)


def access_ended(ref, language="en"):
    url = link("/")
    with force_locale(language):
        body = (
            gettext(
                "The family withdrew their agreement to early help for case %(ref)s, "
                "so you no longer have access to it.",
                ref=ref,
            )
            + "\n\n"
            + gettext("If you still have a concern about a child's safety, follow your safeguarding procedures.")
            + f"\n\n{url}{_footer()}"
        )
        return Message(gettext("You no longer have access to %(ref)s", ref=ref), body, url)


def subject_access(ref, language="en"):
    """To a case's lead professional: a subject access request covers their case (no name of who asked)."""
    url = case_link(ref, "/subject-access")
    with force_locale(language):
        body = (
            gettext(
                "A manager has opened a subject access request that covers case %(ref)s, which you lead. "
                "The request must be answered within one calendar month.",
                ref=ref,
            )
            + "\n\n"
            + gettext(
                "Mark anyone else in the case whose personal data must be withheld from the response, then send "
                "your marks for review."
            )
            + f"\n\n{url}{_footer()}"
        )
        return Message(gettext("A subject access request covers %(ref)s", ref=ref), body, url)


def _item_line(item, language):
    due = gettext("due %(date)s", date=format_date(item.due_on, language=language))
    return f"- {item.ref}: {gettext(item.what)}, {due} - {case_link(item.ref)}"


def daily_digest(day, overdue, due_soon, working_days, language="en"):
    url = link("/")
    with force_locale(language):
        parts = [gettext("What is due on your early help cases, %(date)s.", date=format_date(day, language=language))]
        if overdue:
            heading = gettext("Overdue (%(count)d):", count=len(overdue))
            parts.append(heading + "\n" + "\n".join(_item_line(i, language) for i in overdue))
        if due_soon:
            heading = gettext(
                "Due in the next %(days)d working days (%(count)d):", days=working_days, count=len(due_soon)
            )
            parts.append(heading + "\n" + "\n".join(_item_line(i, language) for i in due_soon))
        parts.append(gettext("Your cases: %(url)s", url=url))
        subject = gettext(
            "Early help: %(overdue)d overdue, %(soon)d due soon (%(date)s)",
            overdue=len(overdue),
            soon=len(due_soon),
            date=format_date(day, "short", language),
        )
        return Message(subject, "\n\n".join(parts) + _footer() + _preferences(), url)


def weekly_digest(day, summary, language="en"):
    url = link("/reports")
    with force_locale(language):
        lines = [
            gettext("Early help this week, %(date)s.", date=format_date(day, language=language)),
            "",
            gettext("Open cases: %(count)d", count=summary.open_cases),
            gettext("Cases with something overdue: %(count)d", count=summary.overdue),
            gettext("Reviews overdue (drift): %(count)d", count=summary.reviews_overdue),
            gettext("Closures waiting for your sign-off: %(count)d", count=summary.sign_offs),
            "",
            gettext("Reports: %(url)s", url=url),
        ]
        subject = gettext("Early help weekly summary (%(date)s)", date=format_date(day, "short", language))
        return Message(subject, "\n".join(lines) + _footer() + _preferences(), url)


def _preferences():
    return gettext("Choose which summaries you get: %(url)s", url=link("/account/notifications")) + "\n"
