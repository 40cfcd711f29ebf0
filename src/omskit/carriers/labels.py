"""Labels: buy, store, register, void and return (a part of the carrier service)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from omskit.carriers.calls import carrier_call
from omskit.carriers.errors import CarrierUnavailable, UnknownTrackingNumber
from omskit.carriers.events import LabelPurchased, LabelVoided, ReturnLabelIssued
from omskit.carriers.model import Label, ParcelSpec, RateRequest
from omskit.carriers.port import Carrier
from omskit.carriers.purchases import (
    LABEL_PURCHASES,
    LabelPurchase,
    issue,
    lookup,
    purchase_key_in,
    reconcile_in,
)
from omskit.carriers.records import LABELS, LabelRecord
from omskit.errors import InvalidTransition, OmskitError
from omskit.runtime import Runtime
from omskit.storage.ports import Repository, UnitOfWork
from omskit.validation import check_mapping, check_text

__all__ = ["LabelDesk"]


class LabelDesk:
    """Label operations of [`CarrierService`][]."""

    _rt: Runtime

    def get(self, name: str) -> Carrier:
        """The carrier ``name`` (implemented by the service)."""
        raise NotImplementedError

    def names(self) -> list[str]:
        """Registered carrier names (implemented by the service)."""
        raise NotImplementedError

    def find_in(
        self, uow: UnitOfWork, tracking_number: str, carrier: str | None = None
    ) -> LabelRecord:
        """The label with ``tracking_number``; raises [`UnknownTrackingNumber`][]."""
        number = check_text(tracking_number, "tracking_number", max_length=100)
        labels = uow.repo(LABELS)
        names = [carrier] if carrier is not None else self.names()
        for name in names:
            found = labels.find_by("tracking", (name, number))
            if found is not None:
                return found
        raise UnknownTrackingNumber(number, carrier or "")

    def buy_label(
        self,
        request: RateRequest,
        *,
        carrier: str,
        service: str,
        reference: str,
        options: Mapping[str, str] | None = None,
        actor: str = "system",
    ) -> list[LabelRecord]:
        """Buy one label per parcel and store them; replaying a reference returns them.

        Raises:
            CarrierUnavailable: the carrier failed; when it may have bought (a lost
                answer), the next call for ``reference`` settles that first.
        """
        bought: list[Label] = []
        attempts: list[LabelPurchase] = []

        def use_case(uow: UnitOfWork) -> list[LabelRecord]:
            return self.buy_label_in(
                uow,
                request,
                carrier=carrier,
                service=service,
                reference=reference,
                options=options,
                bought=bought,
                attempts=attempts,
            )

        try:
            return self._rt.run(use_case, actor=actor)
        except Exception:
            self.settle_failed(bought, attempts)
            raise

    def buy_label_in(
        self,
        uow: UnitOfWork,
        request: RateRequest,
        *,
        carrier: str,
        service: str,
        reference: str,
        options: Mapping[str, str] | None = None,
        owner: str = "",
        bought: list[Label] | None = None,
        purchase: str | None = None,
        attempts: list[LabelPurchase] | None = None,
    ) -> list[LabelRecord]:
        """[`buy_label`][] inside the caller's unit of work.

        ``purchase`` names what is being bought, the same on every retry (fulfillment
        passes its order and parcel numbers; default ``reference``): the carrier gets
        the idempotency key ``f"{purchase}#{attempt}"``, so a retry never buys twice.
        Earlier purchases of it whose outcome is unknown are settled first (see
        ``omskit.carriers.purchases``).

        Labels the carrier issued are appended to ``bought`` and each purchase tried to
        ``attempts``, so a caller whose transaction fails can void the labels and record
        how the purchase ended (``settle_failed``).

        Raises:
            CarrierUnavailable: the carrier failed (``outcome_unknown``: it may have
                bought; looking the key up did not tell).
        """
        impl = self.get(carrier)
        reference = check_text(reference, "reference", max_length=100)
        base = reference if purchase is None else check_text(purchase, "purchase", max_length=150)
        labels = uow.repo(LABELS)
        existing = [r for r in labels.list_by("reference", reference) if r.carrier == carrier]
        active = [r for r in existing if r.status == "active" and not r.label.is_return]
        if active:
            return sorted(active, key=lambda r: r.label.parcel_index)
        spent = len({r.label.reference for r in existing})
        carrier_ref = reference if spent == 0 else f"{reference}/{spent + 1}"
        opts = tuple(
            sorted(
                (check_text(k, "options", max_length=64), check_text(v, f"options.{k}"))
                for k, v in check_mapping(options or {}, "options").items()
            )
        )
        now = self._rt.clock.now()
        key, attempt = purchase_key_in(
            self.get,
            uow,
            base,
            carrier=carrier,
            service=service,
            request=request,
            options=opts,
            now=now,
            spent=spent,
        )
        record = LabelPurchase(
            id=key,
            base=base,
            attempt=attempt,
            carrier=carrier,
            service=service,
            request=request,
            options=opts,
            reference=reference,
            owner=owner,
            updated_at=now,
        )
        if attempts is not None:
            attempts.append(record)
        try:
            issued = issue(
                impl, request, service, reference=carrier_ref, key=key, now=now, options=opts
            )
        except CarrierUnavailable as exc:
            if not exc.outcome_unknown:  # pragma: no cover - issue() marks every failure
                record.status = "none"
                raise
            found = lookup(impl, key)  # did it buy before it failed?
            if not found:
                record.note = "nothing bought" if found is not None else str(exc)
                record.status = "none" if found is not None else "unknown"
                raise
            issued = found
            record.note = f"bought; the carrier's answer was lost ({exc.operation} failed)"
        except OmskitError:  # the carrier refused (a service it lacks...): nothing bought
            record.status = "none"
            raise
        record.status = "bought"
        record.tracking_numbers = tuple(label.tracking_number for label in issued)
        if bought is not None:
            bought.extend(issued)
        return [self._store(labels, label, reference, owner) for label in issued]

    def settle_failed(self, bought: Sequence[Label], attempts: Sequence[LabelPurchase]) -> None:
        """After a failed transaction: void what it bought, and remember what must be settled.

        Bought labels are voided at their carrier (their key is then spent, recorded as
        ``voided``); a purchase whose outcome is unknown, or whose labels could not be
        voided, is recorded as ``unknown`` for the next attempt (or
        ``reconcile_purchases``) to settle. Never raises: the caller re-raises the
        transaction's own error.
        """
        failed = {label.tracking_number for label in self._void_quietly(bought)}
        latest: dict[str, LabelPurchase] = {}
        for record in attempts:
            latest[record.id] = record  # a retried transaction tried the same key again
        keep: list[LabelPurchase] = []
        for record in latest.values():
            if record.status == "bought":
                stuck = [n for n in record.tracking_numbers if n in failed]
                record.status = "unknown" if stuck else "voided"
                record.note = f"voiding failed for {', '.join(stuck)}" if stuck else "voided"
            if record.status in ("unknown", "voided"):
                keep.append(record)
        if keep:
            try:
                self._rt.run(lambda uow: self._remember(uow, keep))
            except OmskitError:  # pragma: no cover - the store itself is failing
                return

    def _reconcile_one(self, key: str) -> Callable[[UnitOfWork], LabelPurchase]:
        def use_case(uow: UnitOfWork) -> LabelPurchase:
            record = uow.repo(LABEL_PURCHASES).get(key)
            return reconcile_in(self.get, uow, record, self._rt.clock.now())

        return use_case

    def _remember(self, uow: UnitOfWork, records: Sequence[LabelPurchase]) -> None:
        repo = uow.repo(LABEL_PURCHASES)
        for record in records:
            stored = repo.find(record.id)
            if stored is None:
                repo.add(attrs.evolve(record, version=0))
            else:
                stored.status, stored.note = record.status, record.note
                stored.tracking_numbers = record.tracking_numbers or stored.tracking_numbers
                stored.updated_at = record.updated_at
                repo.save(stored)

    def unsettled_purchases(self) -> list[LabelPurchase]:
        """Label purchases whose outcome is still unknown (a host may have paid for them)."""
        with self._rt.storage.unit_of_work() as uow:
            return uow.repo(LABEL_PURCHASES).list_by("status", "unknown")

    def reconcile_purchases(self, *, actor: str = "system") -> list[LabelPurchase]:
        """Settle every unknown purchase: look it up at its carrier, void what it bought.

        Returns the purchases settled; those whose carrier is still unreachable stay
        unknown (run this again later, e.g. on a timer).
        """
        settled = []
        for record in self.unsettled_purchases():
            try:
                settled.append(self._rt.run(self._reconcile_one(record.id), actor=actor))
            except OmskitError:
                continue
        return settled

    def _store_return(
        self,
        labels: Repository[LabelRecord],
        label: Label,
        original_tracking_number: str,
        reference: str,
        owner: str,
    ) -> LabelRecord:
        """Store a return label bought for ``original_tracking_number``, with its event."""
        record = self._store(labels, label, reference, owner)
        record.record(
            ReturnLabelIssued(
                label_id=record.id,
                carrier=label.carrier,
                tracking_number=label.tracking_number,
                original_tracking_number=original_tracking_number,
                reference=reference,
            )
        )
        return record

    def _store(
        self,
        labels: Repository[LabelRecord],
        label: Label,
        reference: str,
        owner: str,
        *,
        external: bool = False,
    ) -> LabelRecord:
        record = LabelRecord(
            id=self._rt.ids.new_id("lbl"),
            label=label,
            reference=reference,
            owner=owner,
            external=external,
        )
        record.record(
            LabelPurchased(
                label_id=record.id,
                carrier=label.carrier,
                service=label.service,
                tracking_number=label.tracking_number,
                reference=reference,
                price=label.price,
            )
        )
        labels.add(record)
        return record

    def register_label_in(
        self, uow: UnitOfWork, label: Label, *, reference: str, owner: str = ""
    ) -> LabelRecord:
        """Store a label bought elsewhere (a drop-ship supplier's), so tracking can follow it.

        Raises:
            UnknownProvider: its carrier is not registered (webhooks could not be parsed).
            AlreadyExists: that carrier's tracking number is already stored.
        """
        self.get(label.carrier)
        return self._store(uow.repo(LABELS), label, reference, owner, external=True)

    def void_unstored(self, labels: Sequence[Label]) -> None:
        """Void labels a failed transaction bought but never stored."""
        self._void_quietly(labels)

    def _void_quietly(self, labels: Sequence[Label]) -> list[Label]:
        """Void ``labels``, best effort; returns the ones whose void failed."""
        now = self._rt.clock.now()
        failed = []
        done: set[tuple[str, str]] = set()
        for label in labels:
            if (label.carrier, label.tracking_number) in done:
                continue  # a retried transaction got the same labels back
            done.add((label.carrier, label.tracking_number))
            try:
                with carrier_call(label.carrier, "void_label"):
                    self.get(label.carrier).void_label(label, now)
            except OmskitError:
                failed.append(label)
        return failed

    def void_label(
        self, tracking_number: str, *, carrier: str | None = None, actor: str = "system"
    ) -> LabelRecord:
        """Cancel an unused label; voiding a void label again changes nothing.

        Raises:
            UnknownTrackingNumber: no such label.
            InvalidTransition: the parcel was already handed over, or the label belongs
                to a shipment (cancel the shipment through ``oms.fulfillment`` instead).
        """

        def use_case(uow: UnitOfWork) -> LabelRecord:
            record = self.find_in(uow, tracking_number, carrier)
            if record.owner and record.status == "active":
                raise InvalidTransition(
                    "label", f"owned by {record.owner}", "void", [f"oms.{record.owner}"]
                )
            return self.void_label_in(uow, record)

        return self._rt.run(use_case, actor=actor)

    def void_label_in(self, uow: UnitOfWork, record: LabelRecord) -> LabelRecord:
        """Void ``record`` inside the caller's unit of work (see [`void_label`][])."""
        if record.status == "voided":
            return record
        if record.shipped:
            raise InvalidTransition(
                "label", record.tracking_status, "void", ["label_purchased (not handed over)"]
            )
        with carrier_call(record.carrier, "void_label"):
            self.get(record.carrier).void_label(record.label, self._rt.clock.now())
        record.status = "voided"
        record.record(
            LabelVoided(
                label_id=record.id,
                carrier=record.carrier,
                tracking_number=record.tracking_number,
                reference=record.reference,
            )
        )
        uow.repo(LABELS).save(record)
        return record

    def return_label_in(
        self,
        uow: UnitOfWork,
        original: LabelRecord,
        *,
        reference: str,
        owner: str = "",
        bought: list[Label] | None = None,
        attempts: list[LabelPurchase] | None = None,
    ) -> LabelRecord:
        """Buy (once per ``reference``) a return label for the parcel of ``original``.

        The purchase takes the same path as an outbound one ([`buy_label_in`][]): it is
        keyed ``f"{reference}:return#{attempt}"`` (the carrier gets the key as its
        reference, so a retry gets the same label back), earlier purchases whose outcome
        is unknown are settled first, and the label is appended to ``bought`` and the
        purchase to ``attempts`` so a caller whose transaction fails can void it and
        record how it ended (``settle_failed``). The stored label is voidable like any
        other (``void_label_in``).

        Raises:
            InvalidTransition: ``original`` is voided or is itself a return label.
            CarrierUnavailable: the carrier failed (its outcome may be unknown).
        """
        if original.status == "voided" or original.label.is_return:
            raise InvalidTransition(
                "label",
                "voided" if original.status == "voided" else "return label",
                "issue a return label for",
                ["an active outbound label"],
            )
        reference = check_text(reference, "reference", max_length=100)
        labels = uow.repo(LABELS)
        existing = [r for r in labels.list_by("reference", reference) if r.label.is_return]
        for r in existing:
            if r.status == "active":
                return r
        out = original.label
        request = RateRequest(out.ship_to, out.ship_from, (ParcelSpec(out.weight_grams),))
        base, now = f"{reference}:return", self._rt.clock.now()
        key, attempt = purchase_key_in(
            self.get, uow, base, carrier=out.carrier, service=out.service, request=request,
            options=(), now=now, spent=len(existing),
        )  # fmt: skip
        record = LabelPurchase(
            id=key, base=base, attempt=attempt, carrier=out.carrier, service=out.service,
            request=request, reference=reference, owner=owner, updated_at=now,
        )  # fmt: skip
        if attempts is not None:
            attempts.append(record)
        try:
            with carrier_call(out.carrier, "return_label", outcome_unknown=True):
                label = self.get(out.carrier).return_label(out, reference=key, now=now)
        except CarrierUnavailable as exc:
            record.note = str(exc)
            raise
        except OmskitError:
            record.status = "none"
            raise
        record.status, record.tracking_numbers = "bought", (label.tracking_number,)
        if bought is not None:
            bought.append(label)
        return self._store_return(labels, label, original.tracking_number, reference, owner)

    def return_label(
        self, tracking_number: str, *, carrier: str | None = None, actor: str = "system"
    ) -> LabelRecord:
        """Issue (once) a return label for a parcel that was sent out.

        Raises:
            UnknownTrackingNumber: no such label.
            InvalidTransition: the label was voided.
        """

        def use_case(uow: UnitOfWork) -> LabelRecord:
            original = self.find_in(uow, tracking_number, carrier)
            if original.status == "voided" or original.label.is_return:
                raise InvalidTransition(
                    "label",
                    "voided" if original.status == "voided" else "return label",
                    "issue a return label for",
                    ["an active outbound label"],
                )
            labels = uow.repo(LABELS)
            reference = f"{original.reference or original.tracking_number}:return"
            for r in labels.list_by("reference", reference):
                if r.status == "active" and r.label.is_return:
                    return r
            with carrier_call(original.carrier, "return_label"):
                label = self.get(original.carrier).return_label(
                    original.label,
                    reference=f"{reference}:{original.tracking_number}",
                    now=self._rt.clock.now(),
                )
            return self._store_return(labels, label, original.tracking_number, reference, "")

        return self._rt.run(use_case, actor=actor)
