"""Email and phone checks go through email-validator and phonenumbers; card numbers never pass."""

from __future__ import annotations

import email_validator
import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import InvalidEmail, ValidationError
from omskit.validation import (
    check_email,
    check_payment_method,
    check_phone,
    looks_like_card_number,
)


def library_email(text: str) -> str:
    return email_validator.validate_email(text, check_deliverability=False).normalized


@pytest.mark.parametrize("text", ["dörte@exämple.de", "DÖRTE@EXÄMPLE.DE", "Dana@Example.COM"])
def test_internationalised_addresses_are_accepted_as_the_library_normalises_them(
    text: str,
) -> None:
    assert check_email(text) == library_email(text)
    assert check_email(f"  {text} ") == library_email(text)


@pytest.mark.parametrize("text", ["a..b@x.de", ".a@x.de", "a.@x.de", "dana@", "dana@x", 7])
def test_malformed_addresses_are_refused_naming_the_field_and_value(text: object) -> None:
    with pytest.raises(InvalidEmail) as info:
        check_email(text, "customer.email")
    assert info.value.field == "customer.email"
    assert info.value.value == text
    assert "dana@example.com" in str(info.value)


@given(st.text(max_size=300))
def test_any_text_is_an_email_or_an_invalid_email_never_another_error(text: str) -> None:
    try:
        clean = check_email(text)
    except InvalidEmail:
        return
    assert clean == check_email(clean)  # normalising twice changes nothing


REGIONS = ("DE", "US", "GB", "FR", "IL", "JP", "CH", "BR")


@pytest.mark.parametrize("region", REGIONS)
def test_phone_numbers_come_back_in_e164_however_they_are_written(region: str) -> None:
    example = phonenumbers.example_number(region)
    assert example is not None
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    international = phonenumbers.format_number(
        example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert check_phone(international) == e164
    assert check_phone(e164) == e164
    assert check_phone(national, region=region) == e164


def test_a_number_without_a_country_code_needs_the_region_it_is_written_for() -> None:
    example = phonenumbers.example_number("DE")
    assert example is not None
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    with pytest.raises(ValidationError) as info:
        check_phone(national, "ship_to.phone")
    assert info.value.field == "ship_to.phone"
    assert "country code" in str(info.value)


@pytest.mark.parametrize("text", ["+999999999999", "+49 1", "call me", "", "+" + "1" * 60, None])
def test_numbers_no_country_uses_are_refused_naming_the_field_and_value(text: object) -> None:
    with pytest.raises(ValidationError) as info:
        check_phone(text, "phone")
    assert info.value.field == "phone"
    assert "+49 30 901820" in str(info.value)


@given(st.text(max_size=60), st.sampled_from([None, *REGIONS]))
def test_any_text_is_a_phone_number_or_a_validation_error(text: str, region: str | None) -> None:
    try:
        clean = check_phone(text, region=region)
    except ValidationError:
        return
    assert clean.startswith("+")
    assert check_phone(clean) == clean


def luhn_complete(body: str) -> str:
    """``body`` plus the check digit that makes it pass Luhn (an independent writing)."""
    digits = [int(d) for d in body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        # these positions are doubled once the check digit is appended
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return body + str((10 - total % 10) % 10)


card_numbers = (
    st.integers(12, 18)
    .flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))
    .map(luhn_complete)
)


def spaced(number: str, seps: list[str]) -> str:
    out = []
    for i, ch in enumerate(number):
        out.append(ch)
        if i % 4 == 3 and i < len(number) - 1:
            out.append(seps[i % len(seps)])
    return "".join(out)


@given(card_numbers, st.lists(st.sampled_from(["", " ", "-"]), min_size=1, max_size=4))
def test_a_card_number_is_refused_as_a_payment_method_without_echoing_it(
    number: str, seps: list[str]
) -> None:
    written = spaced(number, seps)
    assert looks_like_card_number(written)
    with pytest.raises(ValidationError) as info:
        check_payment_method(written, "payment.method")
    assert info.value.field == "payment.method"
    message = str(info.value)
    assert "card number" in message
    assert number not in message.replace(" ", "").replace("-", "")
    assert number[-4:] not in message
    assert info.value.value is None
    assert all(number not in str(p.value) for p in info.value.problems)


@given(card_numbers)
def test_a_number_that_fails_luhn_is_an_ordinary_token(number: str) -> None:
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert check_payment_method(wrong) == wrong


@pytest.mark.parametrize("token", ["tok_visa", "invoice", "cod", "pm_1Nx2Y3", "4242"])
def test_gateway_tokens_are_payment_methods(token: str) -> None:
    assert check_payment_method(f" {token} ") == token
