"""Captures link to registered customers, and a payload cannot borrow anyone's identity."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS, Money, NotFound, ValidationError
from omskit.orders import ORDERS

EXEMPT = {"tax_exempt": True, "tax_exempt_certificate": "EX-2026-0042"}


def stored_orders(oms: OMS) -> int:
    with oms.runtime.storage.unit_of_work() as uow:
        return uow.repo(ORDERS).count()


def test_a_capture_with_a_registered_email_is_linked_to_the_customer(
    shop: OMS, order_payload: Any
) -> None:
    dana = shop.customers.register("Dana@Example.com", name="Dana Levi")
    order = shop.orders.capture(order_payload(customer={"email": "DANA@example.COM"}))
    assert order.customer_id == dana.id
    assert [o.id for o in shop.orders.list(customer=dana.id).items] == [order.id]
    assert [o.id for o in shop.orders.list(customer="dana@EXAMPLE.com").items] == [order.id]


def test_orders_from_before_registration_are_found_by_the_customers_id(
    shop: OMS, order_payload: Any
) -> None:
    early = shop.orders.capture(order_payload("E-1"))
    assert early.customer_id == ""
    dana = shop.customers.register("dana@example.com")
    later = shop.orders.capture(order_payload("E-2"))
    shop.orders.capture(order_payload("E-3", customer={"email": "sam@example.com"}))
    page = shop.orders.list(customer=dana.id)
    assert [o.id for o in page.items] == [early.id, later.id]
    assert page.total == 2
    assert shop.orders.list(customer="cus_999999").total == 0


def test_an_internationalised_email_links_by_the_same_normalisation_as_registration(
    shop: OMS, order_payload: Any
) -> None:
    dorte = shop.customers.register("dörte@EXÄMPLE.de")
    order = shop.orders.capture(order_payload(customer={"email": "dörte@exämple.DE"}))
    assert order.customer_id == dorte.id
    assert order.customer_email == dorte.email


def test_a_customer_id_that_belongs_to_another_email_is_refused(
    shop: OMS, order_payload: Any, gateway: Any
) -> None:
    victim = shop.customers.register("victim@example.com", **EXEMPT)
    with pytest.raises(ValidationError) as info:
        shop.orders.capture(
            order_payload(customer={"email": "mallory@example.com", "customer_id": victim.id})
        )
    assert info.value.field == "customer.customer_id"
    assert victim.id in str(info.value)
    assert "victim@" not in str(info.value)
    assert "mallory@" not in str(info.value)
    assert stored_orders(shop) == 0
    assert gateway(shop).calls == 0
    assert shop.inventory.available("TEE-M") == 50


def test_an_unknown_customer_id_is_not_found(shop: OMS, order_payload: Any) -> None:
    with pytest.raises(NotFound):
        shop.orders.capture(
            order_payload(customer={"email": "dana@example.com", "customer_id": "cus_999999"})
        )
    assert stored_orders(shop) == 0


def test_an_exempt_customers_email_from_an_untrusted_channel_pays_tax(
    shop: OMS, order_payload: Any
) -> None:
    school = shop.customers.register("school@example.org", **EXEMPT)
    plain = shop.orders.capture(order_payload("X-0", customer={"email": "other@example.org"}))
    order = shop.orders.capture(order_payload("X-1", customer={"email": "school@example.org"}))
    assert order.customer_id == school.id  # linked for history ...
    assert order.quote.treatment == "taxed"  # ... but not authenticated: no exemption
    assert order.total == plain.total
    with_id = shop.orders.capture(
        order_payload("X-2", customer={"email": "school@example.org", "customer_id": school.id})
    )
    assert with_id.quote.treatment == "taxed"  # the web channel vouches for nobody


def test_a_payload_cannot_claim_a_tax_exemption(shop: OMS, order_payload: Any) -> None:
    with pytest.raises(ValidationError) as info:
        shop.orders.capture(
            order_payload(customer={"email": "dana@example.com", "tax_exempt": True})
        )
    assert info.value.field == "customer.tax_exempt"
    assert "certificate" in str(info.value)
    assert stored_orders(shop) == 0
    opted_out = shop.orders.capture(
        order_payload(customer={"email": "dana@example.com", "tax_exempt": False})
    )
    assert opted_out.quote.treatment == "taxed"


def trusted_shop(shop: OMS) -> OMS:
    shop.channels.add("b2b-portal", currencies=["EUR"], trusts_customer_claims=True)
    return shop


def test_a_trusted_channel_authenticates_a_registered_exempt_customer_by_id(
    shop: OMS, order_payload: Any
) -> None:
    trusted_shop(shop)
    school = shop.customers.register("school@example.org", **EXEMPT)
    customer = {"email": "school@example.org", "customer_id": school.id}
    order = shop.orders.capture(order_payload(channel="b2b-portal", customer=customer))
    assert order.quote.treatment == "exempt"
    assert order.total.gross == order.total.net
    claimed = shop.orders.capture(
        order_payload("B-2", channel="b2b-portal", customer={**customer, "tax_exempt": True})
    )
    assert claimed.quote.treatment == "exempt"
    by_email = shop.orders.capture(
        order_payload("B-3", channel="b2b-portal", customer={"email": "school@example.org"})
    )
    assert by_email.quote.treatment == "taxed"  # authentication takes the id


def test_a_trusted_channel_cannot_claim_an_exemption_the_customer_does_not_have(
    shop: OMS, order_payload: Any
) -> None:
    trusted_shop(shop)
    dana = shop.customers.register("dana@example.com")
    with pytest.raises(ValidationError) as info:
        shop.orders.capture(
            order_payload(
                channel="b2b-portal",
                customer={"email": "dana@example.com", "customer_id": dana.id, "tax_exempt": True},
            )
        )
    assert info.value.field == "customer.tax_exempt"
    assert dana.id in str(info.value)
    assert stored_orders(shop) == 0


def test_the_registered_vat_id_applies_only_to_an_authenticated_capture(
    make: Any, order_payload: Any
) -> None:
    shop = trusted_shop(make({"pricing": {"origin_country": "DE"}}))
    firm = shop.customers.register("firm@example.fr", vat_id="FR40303265045")
    paris = {"country": "FR", "line1": "1 rue de Rivoli", "city": "Paris", "postal_code": "75001"}
    by_email = shop.orders.capture(
        order_payload("V-1", ship_to=paris, customer={"email": "firm@example.fr"})
    )
    assert by_email.quote.treatment == "taxed"
    signed_in = shop.orders.capture(
        order_payload(
            "V-2",
            channel="b2b-portal",
            ship_to=paris,
            customer={"email": "firm@example.fr", "customer_id": firm.id},
        )
    )
    assert signed_in.quote.treatment == "reverse_charge"


def test_an_edit_re_prices_with_the_identity_capture_allowed(shop: OMS, order_payload: Any) -> None:
    school = shop.customers.register("school@example.org", **EXEMPT)
    order = shop.orders.capture(order_payload(customer={"email": "school@example.org"}))
    assert order.customer_id == school.id
    edited = shop.orders.edit(order.id, {"quantities": {"L1": 3}}, reason="customer call")
    assert edited.quote.treatment == "taxed"
    assert edited.total.tax > Money("0", "EUR")


def test_the_trust_setting_is_validated(shop: OMS) -> None:
    with pytest.raises(ValidationError) as info:
        shop.channels.add("kiosk", trusts_customer_claims="yes")
    assert info.value.field == "trusts_customer_claims"
    assert not shop.channels.get("web").trusts_customer_claims


def test_a_card_number_as_payment_method_is_refused_and_nothing_is_stored(
    shop: OMS, order_payload: Any, gateway: Any
) -> None:
    for method in ("4242 4242 4242 4242", "4000-0566-5566-5556"):
        with pytest.raises(ValidationError) as info:
            shop.orders.capture(order_payload(payment={"method": method}))
        assert info.value.field == "payment.method"
        assert method not in str(info.value)
        assert method[-4:] not in str(info.value)
    with pytest.raises(ValidationError) as fp:
        shop.orders.capture(
            order_payload(payment={"method": "tok_visa", "fingerprint": "4242424242424242"})
        )
    assert fp.value.field == "payment.fingerprint"
    assert stored_orders(shop) == 0
    assert gateway(shop).calls == 0
