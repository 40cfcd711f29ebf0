"""Stripe: a payment gateway over PaymentIntents with manual capture, and its webhooks.

No Stripe SDK is needed: requests are built here and sent by the host's transport. See
docs/integrations.md ("Payments: Stripe") for what is mapped and what is not.
"""

from omskit.integrations.stripe.amounts import (
    THREE_DECIMAL,
    ZERO_DECIMAL,
    from_stripe_amount,
    stripe_exponent,
    to_stripe_amount,
)
from omskit.integrations.stripe.fake import FakeStripe
from omskit.integrations.stripe.gateway import (
    DEFAULT_API_VERSION,
    STATE_REFUSALS,
    StripeGateway,
    StripeOutcomeUnknown,
    StripeRequestRefused,
)
from omskit.integrations.stripe.plugin import StripePlugin
from omskit.integrations.stripe.webhooks import (
    SIGNATURE_HEADER,
    StripeEvent,
    StripeWebhooks,
    parse_event,
    sign_payload,
    verify_signature,
)

__all__ = [
    "DEFAULT_API_VERSION",
    "SIGNATURE_HEADER",
    "STATE_REFUSALS",
    "THREE_DECIMAL",
    "ZERO_DECIMAL",
    "FakeStripe",
    "StripeEvent",
    "StripeGateway",
    "StripeOutcomeUnknown",
    "StripePlugin",
    "StripeRequestRefused",
    "StripeWebhooks",
    "from_stripe_amount",
    "parse_event",
    "sign_payload",
    "stripe_exponent",
    "to_stripe_amount",
    "verify_signature",
]
