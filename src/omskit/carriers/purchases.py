"""Label purchases omskit must settle: bought under a key, then failed, voided or unknown.

Every label purchase is sent with an idempotency key derived from what is being
shipped (``"<fulfillment order>:parcels-1+2#<attempt>"``), never from a fresh id, so a
retry after a failure asks the carrier for the same purchase again and gets the labels
it already bought instead of a second set.

A purchase is remembered here only when it needs settling after its transaction failed:

* ``unknown``: the carrier failed without saying whether it bought (a timeout), and
  looking the key up did not tell either; or labels were bought and voiding them failed;
* ``voided``: labels were bought, then the transaction failed and they were voided: the
  key is spent, the next attempt uses the next one;
* ``reconciled``: a later attempt settled an unknown one (reused its key for the same
  purchase, or looked it up and voided what it had bought).

Before buying, ``purchase_key_in`` settles every unknown purchase of the same
shipment: the same carrier, service and parcels reuse its key (the carrier answers with
what it bought, or buys now); anything else first looks the old key up at its carrier
and voids what it finds there. What cannot be settled (the carrier is still down) stops
the new purchase: no second label is bought while the first may exist.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Sequence

import attrs

from omskit.carriers.calls import carrier_call
from omskit.carriers.model import Label, RateRequest
from omskit.carriers.port import Carrier
from omskit.storage.ports import Aggregate, Collection, UnitOfWork

Lookup = Callable[[str], Carrier]

__all__ = [
    "LABEL_PURCHASES",
    "LabelPurchase",
    "accepts_key",
    "issue",
    "key_for",
    "lookup",
    "purchase_key_in",
    "reconcile_in",
]


@attrs.define(eq=False)
class LabelPurchase(Aggregate):
    """One keyed label purchase whose outcome had to be settled (``id`` is its key).

    Attributes:
        base: what the key is derived from, stable across attempts (a fulfillment order
            and its parcel numbers, or the caller's reference).
        attempt: the key's attempt number (``id == f"{base}#{attempt}"``).
        carrier, service, request, options: what was asked for.
        reference: the shipper's reference the labels were bought for.
        owner: the capability that owns the labels (``"fulfillment"``).
        status: ``unknown``, ``voided`` or ``reconciled`` (see the module docstring).
        tracking_numbers: the labels known to be bought under the key.
        note: what happened, in words.
    """

    base: str
    attempt: int
    carrier: str
    service: str
    request: RateRequest
    options: tuple[tuple[str, str], ...] = ()
    reference: str = ""
    owner: str = ""
    status: str = "unknown"
    tracking_numbers: tuple[str, ...] = ()
    note: str = ""
    updated_at: dt.datetime | None = None

    def same_purchase(
        self, carrier: str, service: str, request: RateRequest, options: Sequence[tuple[str, str]]
    ) -> bool:
        """Whether buying ``service`` of ``carrier`` for ``request`` is this purchase again."""
        return (self.carrier, self.service, self.request, self.options) == (
            carrier,
            service,
            request,
            tuple(options),
        )


LABEL_PURCHASES: Collection[LabelPurchase] = Collection(
    "label_purchases",
    LabelPurchase,
    indexes={"base": lambda p: p.base, "status": lambda p: p.status},
    label="label purchase",
)


def key_for(base: str, attempt: int) -> str:
    """The idempotency key of ``attempt`` (1-based) of the purchase ``base``."""
    return f"{base}#{attempt}"


_KEYED: dict[type, bool] = {}


def accepts_key(carrier: Carrier) -> bool:
    """Whether ``carrier.buy_label`` takes ``idempotency_key`` (older carriers do not)."""
    kind = type(carrier)
    known = _KEYED.get(kind)
    if known is None:
        try:
            params = inspect.signature(carrier.buy_label).parameters
        except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
            params = {}  # type: ignore[assignment]
        known = "idempotency_key" in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
        )
        _KEYED[kind] = known
    return known


def issue(
    carrier: Carrier,
    request: RateRequest,
    service: str,
    *,
    reference: str,
    key: str,
    now: dt.datetime,
    options: tuple[tuple[str, str], ...],
) -> tuple[Label, ...]:
    """Buy (or get back) the labels of purchase ``key`` at ``carrier``.

    A carrier whose ``buy_label`` takes no ``idempotency_key`` gets the key as its
    ``reference``: the port has always promised labels by reference are idempotent.

    Raises:
        CarrierUnavailable: the carrier failed; the outcome is unknown.
    """
    with carrier_call(carrier.name, "buy_label", outcome_unknown=True):
        if accepts_key(carrier):
            return tuple(
                carrier.buy_label(
                    request,
                    service,
                    reference=reference,
                    now=now,
                    options=options,
                    idempotency_key=key,
                )
            )
        return tuple(carrier.buy_label(request, service, reference=key, now=now, options=options))


def lookup(carrier: Carrier, key: str) -> tuple[Label, ...] | None:
    """What ``carrier`` bought under ``key``; ``None`` when it cannot say (no lookup, down)."""
    find = getattr(carrier, "find_labels", None)
    if find is None:
        return None
    try:
        with carrier_call(carrier.name, "find_labels"):
            return tuple(find(key))
    except Exception:  # still unknown: the caller records it as such
        return None


def purchase_key_in(
    carriers: Lookup,
    uow: UnitOfWork,
    base: str,
    *,
    carrier: str,
    service: str,
    request: RateRequest,
    options: tuple[tuple[str, str], ...],
    now: dt.datetime,
    spent: int = 0,
) -> tuple[str, int]:
    """The key and attempt number to buy under, once earlier unknown outcomes are settled.

    ``carriers`` finds a carrier by name; ``spent`` counts earlier attempts known by
    other means to be used up (voided labels stored for the same reference).

    Raises:
        CarrierUnavailable: an earlier purchase of another carrier or service could not
            be looked up and voided; nothing new is bought until it is.
    """
    repo = uow.repo(LABEL_PURCHASES)
    records = sorted(repo.list_by("base", base), key=lambda p: p.attempt)
    attempt = max([spent, *(p.attempt for p in records)]) + 1
    for record in records:
        if record.status != "unknown":
            continue
        if record.same_purchase(carrier, service, request, options):
            _settle(uow, record, "reconciled", "bought again under its own key", now)
            return record.id, record.attempt
        reconcile_in(carriers, uow, record, now)
    return key_for(base, attempt), attempt


def reconcile_in(
    carriers: Lookup, uow: UnitOfWork, record: LabelPurchase, now: dt.datetime
) -> LabelPurchase:
    """Settle an unknown purchase: look its key up at its carrier and void what it bought.

    A carrier without ``find_labels`` is asked to buy under the key again (idempotent:
    it answers with what it bought, or buys it now) and what comes back is voided.

    Raises:
        CarrierUnavailable: the carrier could not be reached; the record stays unknown.
    """
    impl = carriers(record.carrier)
    found = lookup(impl, record.id)
    if found is None:
        found = issue(
            impl,
            record.request,
            record.service,
            reference=record.reference,
            key=record.id,
            now=now,
            options=record.options,
        )
    for label in found:
        with carrier_call(impl.name, "void_label"):
            impl.void_label(label, now)
    numbers = tuple(label.tracking_number for label in found)
    note = f"voided {', '.join(numbers)}" if numbers else "the carrier bought nothing under it"
    record.tracking_numbers = numbers or record.tracking_numbers
    _settle(uow, record, "reconciled", note, now)
    return record


def _settle(
    uow: UnitOfWork, record: LabelPurchase, status: str, note: str, now: dt.datetime
) -> None:
    record.status = status
    record.note = note
    record.updated_at = now
    uow.repo(LABEL_PURCHASES).save(record)
