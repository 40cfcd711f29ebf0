"""Payments: the gateway port, the sandbox gateway, and the payment of each order."""

from omskit.payments.compensation import (
    COMPENSATIONS,
    Compensation,
    GatewayCall,
)
from omskit.payments.credit import (
    CREDIT_ACCOUNTS,
    CreditAccount,
    CreditEntry,
    InsufficientStoreCredit,
)
from omskit.payments.errors import GatewayUnavailable, PaymentDeclined
from omskit.payments.events import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentVoided,
)
from omskit.payments.gateway import PaymentGateway
from omskit.payments.model import (
    PAYMENT_STATUSES,
    PAYMENT_TRANSITIONS,
    PAYMENTS,
    Adjustment,
    AuthorizationLedger,
    Payment,
    Transaction,
    payment_status,
)
from omskit.payments.sandbox import SANDBOX_CARDS, SandboxGateway
from omskit.payments.service import PaymentListener, PaymentService
from omskit.payments.settings import CAPTURE_MODES, FAILURE_POLICIES, PaymentSettings

__all__ = [
    "CAPTURE_MODES",
    "COMPENSATIONS",
    "CREDIT_ACCOUNTS",
    "FAILURE_POLICIES",
    "PAYMENTS",
    "PAYMENT_STATUSES",
    "PAYMENT_TRANSITIONS",
    "SANDBOX_CARDS",
    "Adjustment",
    "AuthorizationLedger",
    "Compensation",
    "CreditAccount",
    "CreditEntry",
    "GatewayCall",
    "GatewayUnavailable",
    "InsufficientStoreCredit",
    "Payment",
    "PaymentAuthorized",
    "PaymentCaptured",
    "PaymentDeclined",
    "PaymentFailed",
    "PaymentGateway",
    "PaymentListener",
    "PaymentRefunded",
    "PaymentService",
    "PaymentSettings",
    "PaymentVoided",
    "SandboxGateway",
    "Transaction",
    "payment_status",
]
