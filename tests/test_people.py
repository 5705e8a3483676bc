"""One encoding for a person chosen on a form."""

import pytest

from eha.people import PersonRef


def test_a_person_round_trips_through_its_form_value():
    ref = PersonRef("carer", 3)
    assert ref.value == "carer:3"
    assert PersonRef.parse("carer:3") == ref


@pytest.mark.parametrize(
    "forged", ["carer-3", "carer:", ":3", "admin:1", "carer:3x", "carer:-1", "carer:٣", None, 3, "carer:" + "9" * 40]
)
def test_anything_else_is_not_a_person(forged):
    assert PersonRef.parse(forged) is None
