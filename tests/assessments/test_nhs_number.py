"""The NHS number's modulus 11 check digit."""

import pytest

from eha.nhs import valid_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_real_nhs_numbers_are_accepted(number):
    assert valid_nhs_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # wrong check digit
        "4857773456",  # the GOV.UK hint example: its check digit is wrong
        "943476591",  # too short
        "94347659190",  # too long
        "943476591X",
        "",
        None,
        "１２３４５６７８９０",  # full-width digits are not digits here
        "1000000010",  # check digit would be 10: no valid number has these nine digits
    ],
)
def test_anything_else_is_refused(number):
    assert not valid_nhs_number(number)
