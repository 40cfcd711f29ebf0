"""Customers store normalised contacts, and are listed and searched a page at a time."""

from __future__ import annotations

import phonenumbers
import pytest

from omskit import OMS, ValidationError
from omskit.errors import InvalidEmail


def e164(region: str) -> tuple[str, str]:
    """A valid number of ``region`` written nationally, and its E.164 form (from the library)."""
    example = phonenumbers.example_number(region)
    assert example is not None
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    return national, phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def test_contacts_are_stored_in_their_normalised_forms(oms: OMS) -> None:
    national, wanted = e164("DE")
    home = {
        "country": "DE",
        "line1": "Invalidenstr. 117",
        "city": "Berlin",
        "postal_code": "10115",
        "phone": national,
    }
    dorte = oms.customers.register("dörte@EXÄMPLE.de", phone=national, addresses=[home])
    assert dorte.email == "dörte@exämple.de"
    assert dorte.phone == wanted  # read as a German number: the first address is in DE
    assert dorte.addresses[0].phone == wanted  # the address's phone, by its country
    assert oms.customers.get_by_email("DÖRTE@exämple.DE").id == dorte.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "a..b@x.de"}, "email"),
        ({"email": "dana@example.com", "phone": "+999999999999"}, "phone"),
        ({"email": "dana@example.com", "phone": "030 1234"}, "phone"),  # no country to read by
        (
            {
                "email": "dana@example.com",
                "addresses": [{"country": "US", "line1": "1 Main St", "phone": "+999999999999"}],
            },
            "addresses[0].phone",
        ),
        ({"email": "dana@example.com", "addresses": 2}, "addresses"),
    ],
)
def test_bad_contacts_are_refused_naming_the_field_and_nothing_is_stored(
    oms: OMS, fields: dict[str, object], field: str
) -> None:
    email = fields.pop("email")
    with pytest.raises(ValidationError) as info:
        oms.customers.register(email, **fields)
    assert [p.field for p in info.value.problems] == [field]
    assert oms.customers.list().total == 0


def test_a_malformed_email_is_an_invalid_email_error_when_looking_up(oms: OMS) -> None:
    with pytest.raises(InvalidEmail):
        oms.customers.find_by_email("a..b@x.de")


def register_many(oms: OMS) -> list[str]:
    ids = []
    for n in range(12):
        group = "wholesale" if n % 3 == 0 else ""
        ids.append(
            oms.customers.register(f"buyer{n}@example.com", name=f"Buyer {n}", group=group).id
        )
    return ids


def test_customers_are_listed_a_page_at_a_time_in_registration_order(oms: OMS) -> None:
    ids = register_many(oms)
    first = oms.customers.list(limit=5)
    second = oms.customers.list(offset=5, limit=5)
    last = oms.customers.list(offset=10, limit=5)
    assert [c.id for c in (*first.items, *second.items, *last.items)] == ids
    assert (first.total, first.has_more, last.has_more) == (12, True, False)
    wholesale = oms.customers.list(group="wholesale")
    assert [c.id for c in wholesale.items] == ids[::3]


def test_search_finds_customers_by_email_name_or_phone(oms: OMS) -> None:
    ids = register_many(oms)
    _, wanted = e164("GB")
    phoned = oms.customers.register("phil@example.org", name="Phil Collins", phone=wanted)
    assert [c.id for c in oms.customers.search("BUYER 1").items] == [ids[1], ids[10], ids[11]]
    assert [c.id for c in oms.customers.search("phil@").items] == [phoned.id]
    assert [c.id for c in oms.customers.search("collins").items] == [phoned.id]
    spaced = " ".join(wanted[3:6]) + wanted[6:9]  # digits out of the middle, with a space
    assert [c.id for c in oms.customers.search(spaced).items] == [phoned.id]
    page = oms.customers.search("example.com", offset=10, limit=5)
    assert (page.total, len(page.items), page.has_more) == (12, 2, False)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda oms: oms.customers.list(limit=0), "limit"),
        (lambda oms: oms.customers.list(offset=-1), "offset"),
        (lambda oms: oms.customers.search(""), "text"),
        (lambda oms: oms.customers.search(5), "text"),
    ],
)
def test_bad_list_and_search_arguments_are_validation_errors(
    oms: OMS, call: object, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call(oms)  # type: ignore[operator]
    assert info.value.field == field
