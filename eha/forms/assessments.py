"""Forms for the case list and for starting an assessment with a family already on record."""

from wtforms import HiddenField

from eha.formatting import format_date
from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import GovCheckboxesField, make_choices


class ChooseChildrenForm(BaseForm):
    """Which of an existing family's children the new episode is about."""

    children = GovCheckboxesField(
        "Which children is this assessment about?",
        validators=[Required("Select at least one child")],
        description="Select all that apply. Children who already have an open episode cannot be chosen.",
        error_name="children",
    )

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        pairs = [(str(c.id), f"{c.name}, born {format_date(c.date_of_birth)}") for c in children]
        self.children.choices = make_choices(pairs)
        self.children.allowed_values = frozenset(v for v, _ in pairs)


class VersionForm(BaseForm):
    """A hidden version carried by a form that edits a versioned record."""

    version = HiddenField()
