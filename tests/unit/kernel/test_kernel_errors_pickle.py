"""Every omskit error survives pickle: class, message and data, as a process pool needs."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

import omskit
from omskit import errors
from omskit.admin import errors as admin_errors
from omskit.carriers import errors as carrier_errors
from omskit.fulfillment import errors as fulfillment_errors
from omskit.integrations import channel as channel_integrations
from omskit.integrations import transport as integration_errors
from omskit.integrations.edi import x12
from omskit.integrations.paypal import PayPalOutcomeUnknown
from omskit.integrations.schemas import PayloadInvalid
from omskit.integrations.stripe.gateway import StripeRequestRefused
from omskit.inventory import errors as inventory_errors
from omskit.money import Money, to_decimal
from omskit.notifications import errors as notification_errors
from omskit.orders import errors as order_errors
from omskit.orders.risk import RiskAssessment, RiskSignal
from omskit.payments import errors as payment_errors
from omskit.payments.credit import InsufficientStoreCredit
from omskit.payments.model import Transaction
from omskit.pricing import errors as pricing_errors
from omskit.reporting import errors as reporting_errors
from omskit.returns import errors as return_errors
from omskit.storage import errors as storage_errors

_TXN = Transaction(
    id="txn_1",
    kind="capture",
    status="declined",
    amount=Money("19.90", "EUR"),
    gateway="sandbox",
    idempotency_key="key-1",
    code="card_declined",
    message="the card was declined",
    at=dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC),
)
_RISK = RiskAssessment(
    score=120,
    outcome="reject",
    signals=(RiskSignal("email_velocity", 40, "6 orders today"),),
)
_HELD = order_errors.HeldLine(
    "L1", requested=2, free=0, held=2, fulfillment_orders=(("fo-1", "BER"),)
)
_SPAN = (dt.date(2026, 1, 1), None)

# One representative construction per error class. A class missing here fails
# test_the_table_covers_every_error_class: add a row when you add an error.
EXAMPLES: dict[type[errors.OmskitError], Callable[[], errors.OmskitError]] = {
    errors.OmskitError: lambda: errors.OmskitError("something went wrong"),
    storage_errors.CodecError: lambda: storage_errors.CodecError("cannot store an object"),
    storage_errors.StorageError: lambda: storage_errors.StorageError("database is locked"),
    storage_errors.SchemaOutdated: lambda: storage_errors.SchemaOutdated("sqlite:///a.db", 0, 1),
    errors.ValidationError: lambda: errors.ValidationError("lines[0].quantity", -2, "positive"),
    errors.InvalidAmount: lambda: errors.InvalidAmount("amount", "1,2.3", "a decimal"),
    errors.FloatNotAllowed: lambda: errors.FloatNotAllowed("amount", 0.1, "pass '0.1'"),
    errors.UnknownCurrency: lambda: errors.UnknownCurrency("currency", "EURO", "ISO 4217"),
    errors.InvalidQuantity: lambda: errors.InvalidQuantity("quantity", 0, "at least 1"),
    errors.UnknownCountry: lambda: errors.UnknownCountry("country", "XX", "ISO 3166"),
    errors.InvalidEmail: lambda: errors.InvalidEmail("email", "a@", "an address"),
    errors.InvalidSku: lambda: errors.InvalidSku("sku", "a b", "no spaces"),
    errors.CurrencyMismatch: lambda: errors.CurrencyMismatch("EUR", "USD", "add"),
    errors.NotFound: lambda: errors.NotFound("order", "O-7", "capture it first"),
    errors.UnknownSku: lambda: errors.UnknownSku("TEE-M"),
    errors.UnknownProvider: lambda: errors.UnknownProvider("carrier", "ups", ["dhl", "sandbox"]),
    errors.InvalidTransition: lambda: errors.InvalidTransition(
        "order O-7", "cancelled", "ship", ["allocated", "partially_shipped"]
    ),
    errors.Conflict: lambda: errors.Conflict("a conflicting write"),
    errors.ConcurrencyConflict: lambda: errors.ConcurrencyConflict("order", "O-7", 3, 4),
    errors.IdempotencyConflict: lambda: errors.IdempotencyConflict("key-1", "amount differs"),
    errors.AlreadyExists: lambda: errors.AlreadyExists("product", "TEE-M"),
    errors.InsufficientStock: lambda: errors.InsufficientStock("TEE-M", 5, 2, "BER"),
    errors.PaymentError: lambda: errors.PaymentError("the gateway failed"),
    errors.PluginError: lambda: errors.PluginError("a hook broke its contract"),
    errors.DuplicateRegistration: lambda: errors.DuplicateRegistration(
        "carrier", "dhl", "plugin a", "plugin b"
    ),
    carrier_errors.CarrierUnavailable: lambda: carrier_errors.CarrierUnavailable(
        "sandbox", "buy_label", ConnectionError("reset by peer"), outcome_unknown=True
    ),
    carrier_errors.WebhookSignatureInvalid: lambda: carrier_errors.WebhookSignatureInvalid(
        "sandbox", "the signature does not match the body"
    ),
    channel_integrations.ChannelSignatureInvalid: (
        lambda: channel_integrations.ChannelSignatureInvalid("shopify", "no header")
    ),
    x12.X12Error: lambda: x12.X12Error(9, "PO1", "PO102", "1.5", "a whole number"),
    carrier_errors.NoRateAvailable: lambda: carrier_errors.NoRateAvailable(
        "cheapest", ["dhl: no zone"]
    ),
    carrier_errors.UnknownServiceLevel: lambda: carrier_errors.UnknownServiceLevel(
        "dhl", "warp", ["express", "standard"]
    ),
    carrier_errors.UnknownTrackingNumber: lambda: carrier_errors.UnknownTrackingNumber(
        "1Z999", "dhl"
    ),
    carrier_errors.UnserviceableAddress: lambda: carrier_errors.UnserviceableAddress(
        "dhl", "ship_to.country", "KP", "no service"
    ),
    fulfillment_errors.InvalidBinCode: lambda: fulfillment_errors.InvalidBinCode(
        "bin", "A--3", "zone-aisle-shelf-bin"
    ),
    fulfillment_errors.ItemTooLarge: lambda: fulfillment_errors.ItemTooLarge(
        "TV-55", "1300 mm is longer than every box"
    ),
    fulfillment_errors.OverConfirmation: lambda: fulfillment_errors.OverConfirmation(
        "picked.TEE-M", "TEE-M", 3, 2, "were picked"
    ),
    fulfillment_errors.PickupCodeMismatch: lambda: fulfillment_errors.PickupCodeMismatch(
        "code", "0000", "the order's pickup code"
    ),
    inventory_errors.BackorderLimitReached: lambda: inventory_errors.BackorderLimitReached(
        "TEE-M", 10, 2, 5, "backorder"
    ),
    inventory_errors.StockShortfall: lambda: inventory_errors.StockShortfall(
        [
            inventory_errors.ShortLine("V", 100, 7, line_ref="L1"),
            inventory_errors.ShortLine("W", 3, 0, line_ref="L2", reason="not stocked"),
        ]
    ),
    inventory_errors.LocationInactive: lambda: inventory_errors.LocationInactive("BER", "receive"),
    inventory_errors.NotEnoughToMove: lambda: inventory_errors.NotEnoughToMove(
        "TEE-M", 5, 2, "BER", "transfer"
    ),
    inventory_errors.UnknownLocation: lambda: inventory_errors.UnknownLocation("XXX"),
    inventory_errors.UnknownPurchaseOrder: lambda: inventory_errors.UnknownPurchaseOrder("po-9"),
    inventory_errors.UnknownReservation: lambda: inventory_errors.UnknownReservation("O-7", "L1"),
    inventory_errors.UnknownSupplier: lambda: inventory_errors.UnknownSupplier("ACME"),
    return_errors.ReturnNotEligible: lambda: return_errors.ReturnNotEligible.of(
        [errors.Problem("lines.L1", "got 3; only 2 unit(s) can come back", 3)]
    ),
    return_errors.UnknownReturn: lambda: return_errors.UnknownReturn("rma_9"),
    reporting_errors.MissingExtra: lambda: reporting_errors.MissingExtra("pyarrow", "reports"),
    order_errors.AmbiguousExternalId: lambda: order_errors.AmbiguousExternalId(
        "W-1", ["amazon-de", "web"]
    ),
    order_errors.OrderRejected: lambda: order_errors.OrderRejected("web", "W-1", _RISK),
    order_errors.OrderUnchanged: lambda: order_errors.OrderUnchanged(
        "lines", {}, "change at least one line"
    ),
    order_errors.UnitsInFulfillment: lambda: order_errors.UnitsInFulfillment(
        "O-7", "cancel", [_HELD]
    ),
    payment_errors.GatewayUnavailable: lambda: payment_errors.GatewayUnavailable(_TXN, 3),
    payment_errors.PaymentDeclined: lambda: payment_errors.PaymentDeclined(_TXN),
    InsufficientStoreCredit: lambda: InsufficientStoreCredit(
        "dana@example.com", Money("6.00", "EUR"), Money("5.00", "EUR")
    ),
    integration_errors.ServiceError: lambda: integration_errors.ServiceError(
        "easypost", 422, "ADDRESS.VERIFY.FAILURE", "address not found", "to_address"
    ),
    integration_errors.SignatureInvalid: lambda: integration_errors.SignatureInvalid(
        "stripe", "the signature does not match the body"
    ),
    PayPalOutcomeUnknown: lambda: PayPalOutcomeUnknown(500, b'{"name":"INTERNAL_SERVER_ERROR"}'),
    PayloadInvalid: lambda: PayloadInvalid(
        "shopify.fulfillment", "fulfillment.notify_customer", "type", "yes", "expected boolean"
    ),
    StripeRequestRefused: lambda: StripeRequestRefused(
        "stripe", 404, "resource_missing", "No such payment_intent", "intent"
    ),
    pricing_errors.ChannelPriceRejected: lambda: pricing_errors.ChannelPriceRejected(
        "lines[0].unit_price", "9.00", "19.90", "within 5%"
    ),
    pricing_errors.CouponError: lambda: pricing_errors.CouponError("AUTUMN10", "not usable"),
    pricing_errors.CouponExhausted: lambda: pricing_errors.CouponExhausted("AUTUMN10", "used"),
    pricing_errors.CouponExpired: lambda: pricing_errors.CouponExpired("AUTUMN10", "ended"),
    pricing_errors.CouponLimitReached: lambda: pricing_errors.CouponLimitReached(
        "AUTUMN10", "once per customer"
    ),
    pricing_errors.CouponNotValidYet: lambda: pricing_errors.CouponNotValidYet(
        "AUTUMN10", "starts tomorrow"
    ),
    pricing_errors.CurrencyNotSold: lambda: pricing_errors.CurrencyNotSold(
        "web", "GBP", ["EUR", "USD"]
    ),
    pricing_errors.DutiesUnavailable: lambda: pricing_errors.DutiesUnavailable("CH", "no HS code"),
    pricing_errors.InactiveSku: lambda: pricing_errors.InactiveSku("TEE-M"),
    pricing_errors.NoPrice: lambda: pricing_errors.NoPrice("TEE-M", "JPY"),
    pricing_errors.OverlappingRates: lambda: pricing_errors.OverlappingRates(
        "DE", "standard", "VAT", _SPAN, _SPAN
    ),
    pricing_errors.UnknownChannel: lambda: pricing_errors.UnknownChannel("shop", ["web"]),
    pricing_errors.UnknownCoupon: lambda: pricing_errors.UnknownCoupon("NOPE"),
    pricing_errors.UnknownPriceList: lambda: pricing_errors.UnknownPriceList("vip", "EUR"),
    pricing_errors.UnknownPromotion: lambda: pricing_errors.UnknownPromotion("SHIP50"),
    notification_errors.DeliveryRejected: lambda: notification_errors.DeliveryRejected(
        "'dana@example' does not accept messages"
    ),
    notification_errors.TemplateRenderError: lambda: notification_errors.TemplateRenderError(
        "shipped.html", "UndefinedError", "the template failed: 'carier' is undefined"
    ),
    notification_errors.UnknownTemplate: lambda: notification_errors.UnknownTemplate(
        "shiped", ["shipped"]
    ),
    notification_errors.UnknownTrigger: lambda: notification_errors.UnknownTrigger(
        "shiped", ["shipped"]
    ),
    notification_errors.UnsubscribeTokenInvalid: lambda: (
        notification_errors.UnsubscribeTokenInvalid("token", "x.y", "a token, unaltered")
    ),
    admin_errors.AccessDenied: lambda: admin_errors.AccessDenied(
        "kim", "inventory.adjust", "{location 'TLV'}", "holds warehouse at BER"
    ),
    admin_errors.ApprovalRequired: lambda: admin_errors.ApprovalRequired(
        "apr_1", "refund_above", "payments.refund"
    ),
    admin_errors.ErasureBlocked: lambda: admin_errors.ErasureBlocked(
        "cus_1", ["order ord_1 is placed"]
    ),
    admin_errors.SelfApproval: lambda: admin_errors.SelfApproval("apr_1", "kim"),
    admin_errors.UnknownApproval: lambda: admin_errors.UnknownApproval("apr_9"),
    admin_errors.UnknownPermission: lambda: admin_errors.UnknownPermission("orders.fly"),
    admin_errors.UnknownPrincipal: lambda: admin_errors.UnknownPrincipal("ghost"),
    admin_errors.UnknownRole: lambda: admin_errors.UnknownRole("wizard"),
}


def _subclasses(cls: type[errors.OmskitError]) -> Iterator[type[errors.OmskitError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _omskit_error_classes() -> set[type[errors.OmskitError]]:
    """Every OmskitError class defined by the omskit package (importing it loads them all)."""
    assert omskit.__name__ == "omskit"
    return {
        cls
        for cls in {errors.OmskitError, *_subclasses(errors.OmskitError)}
        if cls.__module__.split(".")[0] == "omskit"
    }


def test_the_table_covers_every_error_class() -> None:
    found = _omskit_error_classes()
    missing = sorted(f"{c.__module__}.{c.__qualname__}" for c in found - EXAMPLES.keys())
    assert not missing, f"add a representative construction to EXAMPLES for {missing}"
    assert len(found) >= 56


@pytest.mark.parametrize("cls", list(EXAMPLES), ids=lambda c: c.__name__)
@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_every_error_round_trips_through_pickle_with_its_message_and_data(
    cls: type[errors.OmskitError], protocol: int
) -> None:
    error = EXAMPLES[cls]()
    assert type(error) is cls
    copy = pickle.loads(pickle.dumps(error, protocol=protocol))
    assert type(copy) is cls
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)
    if cls.__init__ is not Exception.__init__:  # the class takes data, not just a message
        assert vars(error), "the example carries no data to check"


def test_a_worker_process_hands_its_omskit_error_back_to_the_pool() -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(to_decimal, "1,2.3", "lines[0].unit_price")
        with pytest.raises(errors.InvalidAmount) as info:
            future.result(timeout=120)
    assert info.value.field == "lines[0].unit_price"
    assert info.value.value == "1,2.3"
    assert "expected a decimal number" in str(info.value)
