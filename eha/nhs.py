"""NHS numbers: how people type them and the check digit (used by the forms and by the search)."""

from __future__ import annotations

import re

_NHS_SEPARATORS = re.compile(r"[\s-]+")


def normalise_nhs_number(value: str | None) -> str:
    """Digits only: people type NHS numbers as "943 476 5919" or "943-476-5919"."""
    if not isinstance(value, str):
        return ""
    return _NHS_SEPARATORS.sub("", value)


def valid_nhs_number(value: str | None) -> bool:
    """True when ``value`` is ten digits whose last is the modulus 11 check digit of the first nine."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])
