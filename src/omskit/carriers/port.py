"""The carrier port: what omskit needs from any carrier integration.

A carrier is registered by name through the ``omskit_register_carriers`` hook. Carriers
are stateless toward omskit: everything they hand out (quotes, labels, tracking events)
is a value object, and the ``CarrierService`` stores what must be remembered.

An exception that is not an ``OmskitError`` (a timeout, a lost connection, a bug) is
wrapped by omskit in ``CarrierUnavailable`` naming the carrier and the operation.

One method is optional: ``find_labels(idempotency_key) -> Sequence[Label]``, the labels
the carrier bought under a key (empty when none). With it, omskit settles a purchase
whose answer was lost by looking it up; without it, by buying again under the same key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from omskit.carriers.model import (
    Label,
    RateQuote,
    RateRequest,
    ServiceLevel,
    TrackingEvent,
    TrackingUpdate,
)

__all__ = ["Carrier"]


@runtime_checkable
class Carrier(Protocol):
    """A carrier integration: rates, labels, voids, return labels and tracking."""

    @property
    def name(self) -> str:
        """The unique name the carrier is registered under."""
        ...

    @property
    def services(self) -> tuple[ServiceLevel, ...]:
        """The service levels the carrier sells."""
        ...

    def rates(self, request: RateRequest, now: dt.datetime) -> list[RateQuote]:
        """A quote per service level for ``request``, as of ``now``.

        Raises:
            UnserviceableAddress: the carrier does not deliver there or cannot take a parcel.
        """
        ...

    def quote(self, request: RateRequest, service: str, now: dt.datetime) -> RateQuote:
        """The quote for one service level.

        Raises:
            UnknownServiceLevel: no such service.
            UnserviceableAddress: as for [`rates`][].
        """
        ...

    def buy_label(
        self,
        request: RateRequest,
        service: str,
        *,
        reference: str,
        now: dt.datetime,
        options: Sequence[tuple[str, str]] = (),
        idempotency_key: str = "",
    ) -> tuple[Label, ...]:
        """Buy one label per parcel of ``request``; ``reference`` is the shipper's own id.

        ``idempotency_key`` identifies the purchase: called again with a key it has
        seen, the carrier returns the labels first bought under it and buys nothing
        (a real carrier API passes it on as its idempotency key). A carrier written
        before the key existed may leave the parameter out: omskit then passes the key
        as ``reference``, for which labels were always promised to be idempotent.
        """
        ...

    def void_label(self, label: Label, now: dt.datetime) -> None:
        """Cancel an unused label (a refund of its price, at real carriers)."""
        ...

    def return_label(self, original: Label, *, reference: str, now: dt.datetime) -> Label:
        """A label that brings the parcel of ``original`` back to where it came from."""
        ...

    def track(self, label: Label, now: dt.datetime) -> tuple[TrackingEvent, ...]:
        """Tracking events the carrier reports for ``label`` up to ``now`` (pull model)."""
        ...

    def verify_webhook(self, body: bytes, headers: Mapping[str, str], now: dt.datetime) -> None:
        """Check that a webhook comes from the carrier: its signature over the raw ``body``.

        Called before anything is parsed; return quietly when it holds. ``now`` is the
        OMS clock's time, for a signature's timestamp window.

        Raises:
            WebhookSignatureInvalid: the signature is missing, wrong, or too old.
        """
        ...

    def parse_webhook(self, payload: Mapping[str, Any]) -> tuple[TrackingUpdate, ...]:
        """Normalise the carrier's (verified, JSON-decoded) webhook ``payload``.

        Raises:
            ValidationError: the payload is not in the carrier's format.
        """
        ...
