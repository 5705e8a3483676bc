"""The form side of a person picker (``eha.services.pickers``): what the request asks of it, and its choices."""

from flask import request

from eha.forms.plans import set_choices


def picker_text(field):
    """What was typed in the search box of the picker ``field`` (``<name>_q``, posted with the form or on the
    page's address)."""
    return request.values.get(f"{field.name}_q", "")


def finding():
    """Whether the user pressed a picker's Search button: the page is shown again with the people found and
    everything else they typed kept, nothing saved and no errors."""
    return request.method == "POST" and "find" in request.form


def give_offer(field, offer):
    """Give the radios or checkboxes ``field`` the choices ``offer`` makes; the template's ``person_picker``
    reads ``field.offer``."""
    set_choices(field, offer.choices)
    field.offer = offer
    if offer.searching:
        # Someone the search does not hold (stale, forged, no longer eligible) counts as no one chosen: the
        # field's own "Select the practitioner" rather than a message about a list the user never saw whole.
        if isinstance(field.data, list):
            field.data = [v for v in field.data if v in field.allowed_values]
        elif field.data not in field.allowed_values:
            field.data = None
