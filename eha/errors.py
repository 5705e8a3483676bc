"""The domain errors. Services and the workflow raise them; ``eha.views.errors`` turns each into its page, once.

- ``NotAllowed`` (409): the step is not allowed now, e.g. the case is closed or the plan is signed;
- ``NotPermitted`` (403): the user may see the case but may not do this to it;
- ``NotFound`` (404): the thing asked for is not on this case (its existence is not disclosed);
- ``Disposed`` (410): the case's content was disposed of under the retention schedule;
- ``Conflict`` (409): what is saved no longer matches what the user started from; ``StaleEdit`` is the usual one;
- ``Invalid``: input a form could not check (a date rule, a choice someone else removed): the view shows it as a
  form error on ``field``;
- ``GuardFailed`` (409): the workflow's guards refused a step, with a message for each.

Each carries the reason in words a user can act on: a lazy message (``lazy_gettext``) is shown in the page's
language and kept in the audit trail in English (``eha.access.record_failure``). A view catches one of these only to
show it on its own page (a form error, the conflict page with the user's input kept); anything else reaches the one
handler.
"""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


class DomainError(Exception):
    status = 400
    outcome = "refused"  # the audit event's outcome when this error refuses a request

    def __init__(self, message="", *, detail=None):
        super().__init__(message)
        self.message = message
        self.detail = dict(detail or {})
        self.recorded = False  # set once the refusal is in the audit trail, so it is written once

    @property
    def messages(self):
        return [self.message] if self.message else []


class NotAllowed(DomainError):
    status = 409


class NotPermitted(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Disposed(DomainError):
    """The case's content was disposed of under the retention schedule: only its register entries remain."""

    status = 410


class Conflict(DomainError):
    """Someone else changed the record after the user opened it. ``saved`` is what is stored now (or None)."""

    status = 409
    outcome = "failed"

    def __init__(
        self,
        message=_l("Someone else changed this after you opened it. Your changes have not been saved."),
        *,
        saved=None,
        detail=None,
    ):
        super().__init__(message, detail=detail)
        self.saved = saved


class StaleEdit(Conflict):
    """The version the user edited is not the version stored (a missing version counts as stale)."""


class Invalid(DomainError):
    """Input the form could not check; shown as an error on the form's ``field``."""

    status = 200
    outcome = "failed"

    def __init__(self, message, *, field=None, detail=None):
        super().__init__(message, detail=detail)
        self.field = field


class GuardFailed(DomainError):
    """One or more workflow guards failed; ``messages`` says what to do about each."""

    status = 409
    outcome = "failed"

    def __init__(self, messages, *, detail=None):
        messages = list(messages)
        # Joined when shown, so each message is in the language it is read in.
        super().__init__(LazyString(lambda: gettext("; ").join(str(m) for m in messages)), detail=detail)
        self._messages = messages

    @property
    def messages(self):
        return list(self._messages)


def expect_version(expected, actual):
    """Raise ``StaleEdit`` unless the version the user sent is the one stored. A missing version is stale: a form
    without its version field must not skip the check."""
    if expected is None or expected != actual:
        raise StaleEdit()
