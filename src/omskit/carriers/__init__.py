"""Carriers: rate quotes, rate shopping, labels, voids, return labels and tracking.

Built-in carriers: [`TableRateCarrier`][] (priced from a rate table) and
[`SandboxCarrier`][] (deterministic, for development and tests). Host carriers
register through the ``omskit_register_carriers`` hook and implement [`Carrier`][].
"""

from omskit.carriers.errors import (
    CarrierUnavailable,
    NoRateAvailable,
    UnknownServiceLevel,
    UnknownTrackingNumber,
    UnserviceableAddress,
    WebhookSignatureInvalid,
)
from omskit.carriers.events import (
    LabelPurchased,
    LabelVoided,
    ReturnLabelIssued,
    TrackingUpdated,
)
from omskit.carriers.model import (
    Charge,
    Label,
    ParcelSpec,
    RateQuote,
    RateRequest,
    ServiceLevel,
    TrackingEvent,
    TrackingUpdate,
    add_business_days,
    first_ship_date,
)
from omskit.carriers.port import Carrier
from omskit.carriers.purchases import LABEL_PURCHASES, LabelPurchase
from omskit.carriers.records import LABELS, LabelRecord
from omskit.carriers.sandbox import SANDBOX_CODES, SCENARIOS, SandboxCarrier
from omskit.carriers.service import CarrierService, TrackingListener, WebhookResult
from omskit.carriers.shopping import OBJECTIVES, RateChoice, Rejection, choose_rate
from omskit.carriers.tablerate import DEMO_TABLE, TABLE_RATE_CODES, RateTable, TableRateCarrier
from omskit.carriers.tracking import (
    EXCEPTION_STATUSES,
    STATUSES,
    TERMINAL_STATUSES,
    combine_statuses,
    status_of,
)
from omskit.carriers.webhooks import WebhookDelivery

__all__ = [
    "DEMO_TABLE",
    "EXCEPTION_STATUSES",
    "LABELS",
    "LABEL_PURCHASES",
    "OBJECTIVES",
    "SANDBOX_CODES",
    "SCENARIOS",
    "STATUSES",
    "TABLE_RATE_CODES",
    "TERMINAL_STATUSES",
    "Carrier",
    "CarrierService",
    "CarrierUnavailable",
    "Charge",
    "Label",
    "LabelPurchase",
    "LabelPurchased",
    "LabelRecord",
    "LabelVoided",
    "NoRateAvailable",
    "ParcelSpec",
    "RateChoice",
    "RateQuote",
    "RateRequest",
    "RateTable",
    "Rejection",
    "ReturnLabelIssued",
    "SandboxCarrier",
    "ServiceLevel",
    "TableRateCarrier",
    "TrackingEvent",
    "TrackingListener",
    "TrackingUpdate",
    "TrackingUpdated",
    "UnknownServiceLevel",
    "UnknownTrackingNumber",
    "UnserviceableAddress",
    "WebhookDelivery",
    "WebhookResult",
    "WebhookSignatureInvalid",
    "add_business_days",
    "choose_rate",
    "combine_statuses",
    "first_ship_date",
    "status_of",
]
