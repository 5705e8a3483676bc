"""UK contact details as eha checks them: phone numbers (Google's libphonenumber, via ``phonenumbers``) and
postcodes (Royal Mail's format rules). Email addresses are checked by ``email-validator`` in the forms."""

from __future__ import annotations

import re

import phonenumbers

# Ofcom keeps these ranges for drama and training: no real line has them, and eha's demo and training data use
# them, so they are accepted although libphonenumber calls them unallocated.
_DRAMA = re.compile(r"^(7700900\d{3}|1632960\d{3}|11[3-8]4960\d{3}|1[2-9]1496\d{4}|2079460\d{3}|2890180\d{3})$")


def uk_phone_number(text: str | None) -> str | None:
    """``text`` as a phone number people can dial from the UK, formatted ("07700 900123", "+48 601 234 567"), or
    None when it is not one."""
    if not text or len(text) > 50:
        return None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number)
    uk = number.country_code == 44
    if not (phonenumbers.is_valid_number(number) or (uk and _DRAMA.match(national))):
        return None
    style = phonenumbers.PhoneNumberFormat.NATIONAL if uk else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


# Royal Mail's rules (Postcode Address File programmers' guide): the outward code is A9, A99, AA9, AA99, A9A or
# AA9A; the inward code is 9AA. Q, V and X never come first; I, J and Z never second; the letter after the
# district digit is one of ABCDEFGHJKPSTUW (A9A) or ABEHMNPRVWXY (AA9A); the inward letters never C, I, K, M, O, V.
_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"
_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"
_INWARD = "0-9][ABD-HJLNP-UW-Z][ABD-HJLNP-UW-Z"
_OUTWARD = (
    f"[{_FIRST}][0-9]{{1,2}}",
    f"[{_FIRST}][{_SECOND}][0-9]{{1,2}}",
    f"[{_FIRST}][0-9][ABCDEFGHJKPSTUW]",
    f"[{_FIRST}][{_SECOND}][0-9][ABEHMNPRVWXY]",
)
_POSTCODE = re.compile(f"^(?:{'|'.join(_OUTWARD)})[{_INWARD}]$")


def uk_postcode(text: str | None) -> str | None:
    """``text`` as a UK postcode in capitals with one space ("nt12ab" -> "NT1 2AB"), or None when it does not
    follow Royal Mail's format (GIR 0AA, Girobank's, included)."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if not compact.isascii() or not (compact == "GIR0AA" or _POSTCODE.match(compact)):
        return None
    return f"{compact[:-3]} {compact[-3:]}"
