"""Who counts as a young person: a child old enough to give agreement for themselves if judged competent.

The age is a setting (``EHA_YOUNG_PERSON_MIN_AGE``, default 12); below it a child cannot be the one who agrees, and
forms call them "the young person" only from that age."""

from datetime import date

from flask import current_app
from flask_babel import gettext as _

from eha.formatting import age_on


def min_age():
    return current_app.config["EHA_YOUNG_PERSON_MIN_AGE"]


def child_age(child, on=None):
    """The child's age in years on ``on`` (today), or None without a date of birth."""
    if child.date_of_birth is None:
        return None
    return age_on(child.date_of_birth, on or date.today())


def is_young_person(child, on=None):
    age = child_age(child, on)
    return age is not None and age >= min_age()


def describe(child, on=None):
    """How a form names the child: "the young person, 15" or "child, 7"."""
    age = child_age(child, on)
    if age is None:
        return _("child, age not known")
    if age >= min_age():
        return _("the young person, %(age)s", age=age)
    return _("child, %(age)s", age=age)
