"""Labels: buy, store, register, void and return (a part of the carrier service)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from omskit.carriers.errors import UnknownTrackingNumber
from omskit.carriers.events import LabelPurchased, LabelVoided, ReturnLabelIssued
from omskit.carriers.model import Label, RateRequest
from omskit.carriers.port import Carrier
from omskit.carriers.records import LABELS, LabelRecord
from omskit.errors import InvalidTransition, OmskitError
from omskit.runtime import Runtime
from omskit.storage.ports import Repository, UnitOfWork
from omskit.validation import check_text

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
    ) -> list[LabelRecord]:
        """Buy one label per parcel and store them; replaying a reference returns them."""
        bought: list[Label] = []

        def use_case(uow: UnitOfWork) -> list[LabelRecord]:
            return self.buy_label_in(
                uow,
                request,
                carrier=carrier,
                service=service,
                reference=reference,
                options=options,
                bought=bought,
            )

        try:
            return self._rt.run(use_case)
        except Exception:
            self._void_quietly(bought)
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
    ) -> list[LabelRecord]:
        """[`buy_label`][] inside the caller's unit of work.

        Labels the carrier issued are appended to ``bought``, so a caller whose
        transaction fails can void them ([`void_unstored`][]).
        """
        impl = self.get(carrier)
        reference = check_text(reference, "reference", max_length=100)
        labels = uow.repo(LABELS)
        existing = [r for r in labels.list_by("reference", reference) if r.carrier == carrier]
        active = [r for r in existing if r.status == "active" and not r.label.is_return]
        if active:
            return sorted(active, key=lambda r: r.label.parcel_index)
        attempt = len({r.label.reference for r in existing})
        carrier_ref = reference if attempt == 0 else f"{reference}/{attempt + 1}"
        issued = impl.buy_label(
            request,
            service,
            reference=carrier_ref,
            now=self._rt.clock.now(),
            options=tuple(sorted((options or {}).items())),
        )
        if bought is not None:
            bought.extend(issued)
        return [self._store(labels, label, reference, owner) for label in issued]

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

    def _void_quietly(self, labels: Sequence[Label]) -> None:
        now = self._rt.clock.now()
        for label in labels:
            try:
                self.get(label.carrier).void_label(label, now)
            except OmskitError:  # pragma: no cover - best effort compensation
                continue

    def void_label(self, tracking_number: str, *, carrier: str | None = None) -> LabelRecord:
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

        return self._rt.run(use_case)

    def void_label_in(self, uow: UnitOfWork, record: LabelRecord) -> LabelRecord:
        """Void ``record`` inside the caller's unit of work (see [`void_label`][])."""
        if record.status == "voided":
            return record
        if record.shipped:
            raise InvalidTransition(
                "label", record.tracking_status, "void", ["label_purchased (not handed over)"]
            )
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

    def return_label(self, tracking_number: str, *, carrier: str | None = None) -> LabelRecord:
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
            label = self.get(original.carrier).return_label(
                original.label,
                reference=f"{reference}:{original.tracking_number}",
                now=self._rt.clock.now(),
            )
            record = self._store(labels, label, reference, "")
            record.record(
                ReturnLabelIssued(
                    label_id=record.id,
                    carrier=label.carrier,
                    tracking_number=label.tracking_number,
                    original_tracking_number=original.tracking_number,
                    reference=reference,
                )
            )
            return record

        return self._rt.run(use_case)
