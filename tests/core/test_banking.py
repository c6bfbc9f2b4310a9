import pytest
from django.core.exceptions import ValidationError

from core.banking import compact_iban, grouped_iban, validate_bic, validate_iban


@pytest.mark.parametrize("iban", ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "at611904300234573201"])
def test_valid_ibans_pass_however_they_are_typed(iban):
    validate_iban(iban)


def test_a_mistyped_digit_fails_the_check_digits():
    with pytest.raises(ValidationError, match="check digits"):
        validate_iban("DE89370400440532013001")


def test_something_that_is_not_an_iban_says_what_one_looks_like():
    with pytest.raises(ValidationError, match="is not an IBAN"):
        validate_iban("12345")


def test_ibans_are_stored_compact_and_printed_in_groups_of_four():
    assert compact_iban("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert grouped_iban("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"


@pytest.mark.parametrize("bic", ["COBADEFFXXX", "COBADEFF", "cobadeff"])
def test_bics_of_eight_or_eleven_characters_pass(bic):
    validate_bic(bic)


def test_a_short_bic_is_refused():
    with pytest.raises(ValidationError, match="is not a BIC"):
        validate_bic("COBA")
