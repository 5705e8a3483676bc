"""Validators for contact details on the forms: a UK phone number, a UK postcode, an email address. Each is
optional (an empty box passes), keeps what was typed when it is wrong, and tidies it when it is right."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from eha.contacts import uk_phone_number, uk_postcode

EMAIL_FORMAT = _l("Enter an email address in the correct format, like name@example.com")
PHONE_FORMAT = _l("Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
POSTCODE_FORMAT = _l("Enter a real postcode, like SW1A 1AA")


class EmailAddress:
    """An email address, checked by email-validator (no look-up of the domain)."""

    def __call__(self, form, field):
        if not field.data or field.errors:
            return
        try:
            validate_email(field.data, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(EMAIL_FORMAT) from exc


class PhoneNumber:
    """A phone number dialable from the UK (``eha.contacts.uk_phone_number``), saved in its usual spacing."""

    def __call__(self, form, field):
        if not field.data or field.errors:
            return
        formatted = uk_phone_number(field.data)
        if formatted is None:
            raise ValidationError(PHONE_FORMAT)
        field.data = formatted


class Postcode:
    """A UK postcode by Royal Mail's format rules (``eha.contacts.uk_postcode``), saved as "NT1 2AB"."""

    def __call__(self, form, field):
        if not field.data or field.errors:
            return
        formatted = uk_postcode(field.data)
        if formatted is None:
            raise ValidationError(POSTCODE_FORMAT)
        field.data = formatted
