"""Forms for the case list and for starting an assessment with a family already on record."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from eha.formatting import format_date
from eha.forms.base import BaseForm
from eha.forms.families import Required
from eha.forms.fields import GovCheckboxesField, make_choices
from eha.i18n import current_language


class ChooseChildrenForm(BaseForm):
    """Which of an existing family's children the new episode is about."""

    children = GovCheckboxesField(
        _l("Which children is this assessment about?"),
        validators=[Required(_l("Select at least one child"))],
        description=_l("Select all that apply. Children who already have an open episode cannot be chosen."),
        error_name=_l("children"),
    )

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        language = current_language()
        pairs = [
            (str(c.id), _("%(name)s, born %(date)s", name=c.name, date=format_date(c.date_of_birth, "long", language)))
            for c in children
        ]
        self.children.choices = make_choices(pairs)
        self.children.allowed_values = frozenset(v for v, _ in pairs)


class VersionForm(BaseForm):
    """A hidden version carried by a form that edits a versioned record."""

    version = HiddenField()
