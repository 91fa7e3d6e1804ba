"""Phone numbers typed as people type them are the same number everywhere."""

import pytest

from practitioner_health.crypto import phone_index
from practitioner_health.phones import PhoneNumberError, normalise_phone, parse_phone, phone_for_display


@pytest.mark.parametrize(
    "typed",
    ["07700 900777", "+44 (0)7700 900777", "0044 7700 900 777", "(07700) 900-777", "+447700900777", "7700900777"],
)
def test_every_usual_way_of_writing_a_uk_mobile_is_the_same_number(typed: str) -> None:
    assert parse_phone(typed, mobile=True) == "+447700900777"
    assert phone_index(typed) == phone_index("+447700900777")


def test_a_landline_is_accepted_as_a_phone_but_not_as_a_mobile() -> None:
    assert parse_phone("020 7946 0018") == "+442079460018"
    with pytest.raises(PhoneNumberError, match="Enter a UK mobile number"):
        parse_phone("020 7946 0018", mobile=True)


def test_a_number_abroad_needs_its_country_code_and_a_valid_number() -> None:
    assert parse_phone("+353 85 123 4567", mobile=True) == "+353851234567"
    assert parse_phone("00353 85 123 4567") == "+353851234567"
    with pytest.raises(PhoneNumberError, match="start with \\+ and the country code"):
        parse_phone("+353 85 123")


@pytest.mark.parametrize("typed", ["", "call me", "077009", "07700 900777 1234"])
def test_a_number_that_cannot_be_used_gets_a_specific_message(typed: str) -> None:
    with pytest.raises(PhoneNumberError) as error:
        parse_phone(typed, mobile=True)
    assert str(error.value).startswith("Enter a")


def test_numbers_are_shown_as_people_write_them() -> None:
    assert phone_for_display("+447700900777") == "07700 900777"
    assert phone_for_display("+442079460018") == "020 7946 0018"
    assert phone_for_display("+353851234567") == "+353 85 123 4567"


def test_a_caller_id_that_is_not_a_number_matches_nothing_instead_of_failing() -> None:
    assert normalise_phone("anonymous") == ""
    assert normalise_phone("+44 (0)20 7946 0018") == "+442079460018"
