"""Working days: weekends and England and Wales bank holidays (with substitute days) do not count."""

from datetime import date

import pytest

from eha.workflow.timescales import add_working_days, is_working_day, working_days_between


def test_a_weekend_is_not_working_days():
    friday = date(2026, 3, 6)
    assert add_working_days(friday, 1) == date(2026, 3, 9)  # Monday
    assert not is_working_day(date(2026, 3, 7))
    assert working_days_between(friday, date(2026, 3, 9)) == 1


def test_christmas_and_boxing_day_on_a_weekend_give_substitute_days():
    # 25 and 26 December 2021 were a Saturday and Sunday: the bank holidays moved to 27 and 28 December.
    assert not is_working_day(date(2021, 12, 27))
    assert not is_working_day(date(2021, 12, 28))
    assert add_working_days(date(2021, 12, 24), 1) == date(2021, 12, 29)


def test_christmas_on_a_friday_moves_boxing_day_to_monday():
    # 2026: Christmas Day is a Friday, Boxing Day a Saturday (substitute Monday 28 December).
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_easter_good_friday_and_easter_monday_are_not_working_days():
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert working_days_between(date(2026, 3, 30), date(2026, 4, 10)) == 7


def test_the_early_may_and_summer_bank_holidays_are_england_and_wales_ones():
    assert not is_working_day(date(2026, 5, 4))  # early May bank holiday
    assert not is_working_day(date(2026, 8, 31))  # summer bank holiday (England and Wales, not Scotland)
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer bank holiday is a working day here


def test_twenty_working_days_from_a_start_just_before_christmas():
    # 15-24 Dec (8), 29-31 Dec (3), 4-8 Jan (5), 11-14 Jan (4): Christmas, substitute Boxing Day, New Year skipped.
    assert add_working_days(date(2026, 12, 14), 20) == date(2027, 1, 14)


@pytest.mark.parametrize("start", [date(2026, 1, 1), date(2026, 4, 2), date(2026, 12, 23)])
def test_counting_back_undoes_adding(start):
    end = add_working_days(start, 10)
    assert working_days_between(start, end) == 10
    assert working_days_between(end, start) == -10
