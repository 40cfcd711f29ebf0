"""The notifications service, reached as ``oms.notifications``.

It only subscribes: every committed event reaches [`NotificationService.handle`][]
through the event outbox (so an event is never lost, and a failure here never undoes
the change that produced it). ``handle`` turns the event into stored messages, one per
trigger, channel and recipient, each under a unique idempotency key: a replayed event
finds its messages there and adds none. Messages are sent after they are stored
([`deliver`][NotificationService.deliver]), retried with back-off and jitter, and parked
as dead letters after the last attempt, where [`requeue`][NotificationService.requeue]
picks them up again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs

from omskit.errors import NotFound, ValidationError
from omskit.events import Event, current_actor
from omskit.notifications.channels import NotificationProvider, OutboundMessage
from omskit.notifications.compose import (
    Recipient,
    Sources,
    event_context,
    order_of,
    recipients,
    sample_context,
    subscriber_recipients,
)
from omskit.notifications.errors import DeliveryRejected, TemplateRenderError, UnknownTrigger
from omskit.notifications.events import (
    DeliveryOverdue,
    NotificationDeadLettered,
    NotificationSent,
    PickupReminderDue,
)
from omskit.notifications.model import NOTIFICATIONS, WATCHES, Notification, Watch, select
from omskit.notifications.preferences import (
    PREFERENCES,
    Preferences,
    allows,
    quiet_until,
    read_unsubscribe_token,
    unsubscribe_token,
)
from omskit.notifications.settings import FrequencyCap, NotificationSettings, check_time_zone
from omskit.notifications.smtp import SmtpProvider
from omskit.notifications.subscriptions import STOCK_SUBSCRIPTIONS, StockSubscription
from omskit.notifications.templates import Rendered, Renderer, Template, TemplateLibrary
from omskit.notifications.triggers import Trigger, TriggerTable
from omskit.plugins.manager import Registry, collect_registry
from omskit.runtime import Runtime
from omskit.storage.ports import Repository, UnitOfWork
from omskit.validation import check_email, check_locale, check_quantity, check_sku, check_text

__all__ = ["DeliveryReport", "NotificationService"]

T = TypeVar("T")

SUBSCRIBER = "omskit.notifications"


@attrs.frozen
class DeliveryReport:
    """What one [`deliver`][NotificationService.deliver] pass did."""

    sent: int = 0
    failed: int = 0
    dead: int = 0


def _jitter(message_id: str, attempt: int) -> float:
    """A factor in [0.5, 1.0), the same for the same message and attempt (no randomness)."""
    digest = hashlib.sha256(f"{message_id}:{attempt}".encode()).digest()
    return 0.5 + int.from_bytes(digest[:4], "big") / 2**33


def _check_actor(actor: object) -> str:
    return check_text(actor, "actor", max_length=128)


class NotificationService:
    """Triggers, templates, channels, the message outbox and customer preferences.

    Settings come from the ``notifications`` configuration section (see
    [`NotificationSettings`][omskit.notifications.settings.NotificationSettings]).
    """

    def __init__(self, runtime: Runtime, sources: Sources) -> None:
        self._rt = runtime
        self._sources = sources
        self.settings = NotificationSettings.from_mapping(runtime.config.section("notifications"))
        self._secret = (self.settings.secret or secrets.token_hex(32)).encode()
        self.table = TriggerTable()
        for name, change in self.settings.triggers.items():
            self.configure_trigger(name, **change)
        self.library = TemplateLibrary(self.settings.default_locale)
        self.renderer = Renderer()
        self.providers: Registry[NotificationProvider] = collect_registry(
            runtime.plugins, "omskit_register_notification_providers", "notification provider"
        )
        if self.settings.smtp is not None:
            self.providers.register(SmtpProvider(self.settings.smtp, clock=self._now),
                                    source="the notifications.smtp setting")  # fmt: skip
        self.changes: list[tuple[dt.datetime, str, str]] = []
        self._lock = threading.RLock()
        runtime.subscribe(SUBSCRIBER, self.handle)

    # -- plumbing ------------------------------------------------------------------
    def _read(self, fn: Callable[[UnitOfWork], T]) -> T:
        with self._rt.storage.unit_of_work() as uow:
            return fn(uow)

    def _now(self) -> dt.datetime:
        return self._rt.clock.now()

    # -- triggers and templates (configuration, listed and previewed) --------------
    def triggers(self) -> list[Trigger]:
        """The trigger table: every trigger, enabled or not."""
        return self.table.rows()

    def add_trigger(
        self, trigger: Trigger, *, replace: bool = False, actor: str = "system"
    ) -> None:
        """Add a host's trigger (``replace`` one of the same name); see [`Trigger`][]."""
        actor = _check_actor(actor)
        self._check_channels(trigger.channels)
        self.table.add(trigger, replace=replace)
        self.changes.append((self._now(), f"trigger {trigger.name} added", actor))

    def configure_trigger(
        self,
        name: str,
        *,
        enabled: bool | None = None,
        channels: Iterable[str] | None = None,
        actor: str = "system",
    ) -> Trigger:
        """Enable or disable trigger ``name``, or change its channels."""
        actor = _check_actor(actor)
        changes: dict[str, Any] = {}
        if enabled is not None:
            if not isinstance(enabled, bool):
                raise ValidationError("enabled", enabled, "expected true or false")
            changes["enabled"] = enabled
        if channels is not None:
            changes["channels"] = tuple(channels) if not isinstance(channels, str) else channels
        trigger = attrs.evolve(self.table.get(name), **changes)
        self._check_channels(trigger.channels)
        self.table.add(trigger, replace=True)
        if hasattr(self, "changes"):
            self.changes.append((self._now(), f"trigger {name} set {changes}", actor))
        return trigger

    def _check_channels(self, channels: Iterable[str]) -> None:
        for channel in channels:
            if channel not in self.settings.providers:
                raise ValidationError(
                    "channels", channel,
                    f"no provider is configured for it; configured: "
                    f"{', '.join(sorted(self.settings.providers))}",
                )  # fmt: skip

    def templates(self, name: str | None = None) -> list[Template]:
        """Every template in force (of ``name``)."""
        return self.library.list(name)

    def override_template(
        self,
        name: str,
        locale: str,
        *,
        subject: str,
        text: str,
        html: str = "",
        channel: str = "",
        actor: str = "system",
    ) -> Template:
        """Put a host's template in place of the built-in one (or add a new locale).

        It is compiled at once, so a syntax error is reported here, not at send time.

        Raises:
            TemplateRenderError: a part is not valid jinja2.
            ValidationError: ``locale`` is not one babel knows.
        """
        actor = _check_actor(actor)
        locale = check_locale(locale)
        template = Template(name=check_text(name, "name", max_length=64), locale=locale,
                            subject=subject, text=text, html=html, channel=channel,
                            source="host")  # fmt: skip
        self.renderer.check(template)
        self.library.add(template)
        self.changes.append((self._now(), f"template {name}/{locale} overridden", actor))
        return template

    def render(
        self,
        name: str,
        context: dict[str, Any],
        *,
        locale: str,
        channel: str = "email",
        time_zone: str = "UTC",
    ) -> Rendered:
        """Render template ``name`` for ``locale`` with ``context`` (falling back as needed)."""
        template, note = self.library.resolve(name, locale, channel)
        return self.renderer.render(template, context, locale=locale, time_zone=time_zone,
                                    note=note)  # fmt: skip

    def preview(
        self,
        trigger: str,
        order_id: str | None = None,
        locale: str = "en",
        *,
        channel: str = "email",
        time_zone: str = "UTC",
    ) -> Rendered:
        """Render trigger ``trigger``'s message without sending or storing anything.

        With ``order_id`` the real order (and its first shipment) fills the context;
        sample values fill the rest.
        """
        chosen = self.table.get(trigger)
        order = self._sources.order(order_id) if order_id is not None else None
        shipments = self._sources.shipments(order.id) if order is not None else []
        ctx = sample_context(order, self._now(), self.settings, shipments[0] if shipments else None)
        return self.render(chosen.template, ctx, locale=locale, channel=channel,
                           time_zone=time_zone)  # fmt: skip

    # -- events in ---------------------------------------------------------------
    def handle(self, event: Event) -> list[Notification]:
        """Turn ``event`` into stored messages (the subscriber omskit calls after commit).

        Safe to call again with the same event: messages whose key is stored already are
        not added again. Returns the messages this call added.
        """
        self._watch(event)
        fired = self.table.matching(event)
        if not fired:
            return []
        added: list[Notification] = []
        if event.event_type == "BackInStock":  # customers hear of it through subscriptions
            added = self._notify_subscribers(event, [t for t in fired if t.kind != "staff"])
            fired = [t for t in fired if t.kind == "staff"]
        order = order_of(event, self._sources)
        customer = None
        if order is not None and order.customer_id:
            customer = self._find(self._sources.customer, order.customer_id)
        drafts: list[Notification] = []
        fallback = str(getattr(event, "customer", "") or "")
        prefs = self._preferences_for(order) if order is not None else self._prefs(fallback)
        for trigger in fired:
            context = event_context(event, order, self._sources, self.settings)
            for recipient in recipients(trigger, order, customer, prefs, self.settings,
                                        fallback_email=fallback):  # fmt: skip
                drafts.append(self._draft(trigger=trigger, event=event, order=order,
                                          recipient=recipient, prefs=prefs,
                                          context=context))  # fmt: skip

        cap = self._cap(prefs)

        def use_case(uow: UnitOfWork) -> list[Notification]:
            repo = uow.repo(NOTIFICATIONS)
            added: list[Notification] = []
            for draft in drafts:
                if repo.find_by("key", draft.key) is None:
                    if cap is not None:
                        self._hold_back(repo, draft, cap, added)
                    repo.add(draft)
                    added.append(draft)
            return added

        added += self._rt.run(use_case)
        if added and self.settings.send_immediately:
            self.deliver(actor=current_actor())  # sent for whoever made the event
        return added

    def _cap(self, prefs: Preferences | None) -> FrequencyCap | None:
        """The frequency cap in force for a customer: their own, else the setting."""
        default = self.settings.frequency_cap
        if prefs is not None and prefs.update_cap is not None:
            limit, hours = prefs.update_cap
            return FrequencyCap(limit, dt.timedelta(hours=hours),
                                default.per if default is not None else "order")  # fmt: skip
        return default

    def _capped(self, trigger: str) -> bool:
        try:
            return bool(self.table.get(trigger).capped)
        except UnknownTrigger:  # a message of a trigger a host removed since
            return False

    def _hold_back(self, repo: Repository[Notification], draft: Notification,
                   cap: FrequencyCap, batch: list[Notification]) -> None:  # fmt: skip
        """Suppress ``draft`` when its scope had ``cap.limit`` capped messages already."""
        if draft.status != "queued" or not self._capped(draft.trigger):
            return
        scope = "customer" if cap.per == "customer" or not draft.order_id else "order"
        value = draft.customer if scope == "customer" else draft.order_id
        if not value:
            return
        since = draft.created_at - cap.window
        attr = "customer" if scope == "customer" else "order_id"
        stored = {m.id: m for m in repo.list_by(scope, value)}
        stored.update({m.id: m for m in batch if getattr(m, attr) == value})
        counted = [m for m in stored.values()
                   if m.channel == draft.channel and m.status in ("queued", "sent", "failed")
                   and m.created_at > since and self._capped(m.trigger)]  # fmt: skip
        if len(counted) >= cap.limit:
            draft.status = "suppressed"
            draft.reason = (f"frequency cap: {cap.limit} status updates per {scope} on "
                            f"{draft.channel} in {cap.hours:g}h reached")  # fmt: skip

    def _notify_subscribers(self, event: Event, fired: list[Trigger]) -> list[Notification]:
        """One message per open subscription whose scope has stock again; closes them."""
        sku, location = str(getattr(event, "sku", "")), str(getattr(event, "location", ""))
        subs = [s for s in self.back_in_stock_subscriptions(sku=sku, status="open")
                if s.location in ("", location)]  # fmt: skip
        in_stock: dict[str, bool] = {}
        for scope in {s.location for s in subs}:  # handled after commit: still there?
            in_stock[scope] = self._sources.available(sku, scope or None) > 0
        subs = [s for s in subs if in_stock[s.location]]
        if not subs or not fired:
            return []
        context = event_context(event, None, self._sources, self.settings)
        drafts: dict[str, list[Notification]] = {}
        for sub in subs:
            customer = self._find(self._sources.customer, sub.customer) if sub.customer else None
            prefs = self._first_preferences(sub.customer, sub.email)
            chan = self._find(self._sources.channel, sub.channel) if sub.channel else None
            for trigger in fired:
                for recipient in subscriber_recipients(
                    trigger, sub, customer, prefs, settings=self.settings,
                    channel_locale=chan.locale if chan else "",
                ):  # fmt: skip
                    drafts.setdefault(sub.id, []).append(self._draft(
                        trigger=trigger, event=event, order=None, recipient=recipient,
                        prefs=prefs, context=context, dedup=f"subscription:{sub.id}",
                        requested=True))  # fmt: skip
        now = self._now()

        def use_case(uow: UnitOfWork) -> list[Notification]:
            repo, subs_repo = uow.repo(NOTIFICATIONS), uow.repo(STOCK_SUBSCRIPTIONS)
            added = []
            for sub_id, messages in drafts.items():
                sub = subs_repo.get(sub_id)
                if sub.status != "open":  # cancelled (or told) meanwhile
                    continue
                for draft in messages:
                    if repo.find_by("key", draft.key) is None:
                        repo.add(draft)
                        added.append(draft)
                sub.notifications = tuple(m.id for m in messages)
                sub.move("notify", now, "system")
                subs_repo.save(sub)
            return added

        return self._rt.run(use_case)

    @staticmethod
    def _find(fn: Callable[[str], Any], key: str) -> Any:
        try:
            return fn(key)
        except NotFound:
            return None

    def _preferences_for(self, order: Any) -> Preferences | None:
        if order is None:
            return None
        return self._first_preferences(order.customer_id, order.customer_email.lower())

    def _first_preferences(self, *candidates: str) -> Preferences | None:
        """The preferences stored under the first of ``candidates`` that has some."""
        keys = [k for k in candidates if k]

        def read(uow: UnitOfWork) -> Preferences | None:
            repo = uow.repo(PREFERENCES)
            for key in keys:
                found = repo.view(key)
                if found is not None:
                    return found
            return None

        return self._read(read)

    def _prefs(self, key: str) -> Preferences | None:
        if not key:
            return None
        return self._read(lambda uow: uow.repo(PREFERENCES).view(key.lower()))

    def _draft(
        self,
        *,
        trigger: Trigger,
        event: Event,
        order: Any,
        recipient: Recipient,
        prefs: Preferences | None,
        context: dict[str, Any],
        dedup: str = "",
        requested: bool = False,
    ) -> Notification:
        """A message record for one recipient.

        ``requested``: the recipient asked for it (a subscription), so a marketing
        trigger needs no opt-in; an opt-out still stops it.
        """
        now = self._now()
        key = "|".join((trigger.name, dedup or trigger.dedup_value(event), recipient.channel,
                        recipient.address or "-"))  # fmt: skip
        record = Notification(
            id=self._rt.ids.new_id("ntf"), key=key, trigger=trigger.name, topic=trigger.topic,
            kind=trigger.kind, channel=recipient.channel, recipient=recipient.address,
            event_id=event.event_id, event_type=event.event_type, created_at=now,
            not_before=now, customer=recipient.customer,
            order_id=order.id if order is not None else "",
        )  # fmt: skip
        kind = "updates" if requested and trigger.kind == "marketing" else trigger.kind
        ok, why = allows(prefs, kind, trigger.topic, recipient.channel)
        if ok and not recipient.address:
            ok, why = False, f"no {recipient.channel} address for the recipient"
        if not ok:
            record.status, record.reason = "suppressed", why
            return record
        ctx = dict(context)
        if trigger.kind == "marketing" and self.settings.unsubscribe_url and recipient.customer:
            token = self.unsubscribe_token(recipient.customer, trigger.topic, recipient.channel)
            ctx["unsubscribe_url"] = self.settings.unsubscribe_url.format(token=token)
            record.unsubscribe_url = ctx["unsubscribe_url"]
        try:
            rendered = self.render(trigger.template, ctx, locale=recipient.locale,
                                   channel=recipient.channel,
                                   time_zone=recipient.time_zone)  # fmt: skip
        except (TemplateRenderError, NotFound) as exc:
            record.status, record.last_error = "dead", str(exc)
            record.reason = "the template could not be rendered"
            return record
        record.subject, record.text, record.html = rendered.subject, rendered.text, rendered.html
        record.locale, record.locale_note = rendered.locale, rendered.note
        if not trigger.urgent and prefs is not None:
            until = quiet_until(now, recipient.time_zone, prefs.quiet_window)
            if until is not None:
                record.not_before = until
                record.reason = f"quiet hours: deferred to {until.isoformat()}"
        return record

    # -- timers: delay detection and pickup reminders --------------------------------
    def _watch(self, event: Event) -> None:
        kind = event.event_type
        if kind not in ("ShipmentCreated", "ShipmentDelivered", "ReadyForPickup",
                        "PickupCollected", "PickupExpired"):  # fmt: skip
            return
        settings = self.settings

        def use_case(uow: UnitOfWork) -> None:
            repo = uow.repo(WATCHES)
            if kind == "ShipmentCreated" and getattr(event, "promised_date", None):
                wid = f"delivery:{event.shipment_id}"  # type: ignore[attr-defined]
                if repo.find(wid) is None:
                    promised: dt.date = event.promised_date  # type: ignore[attr-defined]
                    due = dt.datetime.combine(promised + dt.timedelta(days=1), dt.time(),
                                              tzinfo=dt.UTC) + settings.delay_grace  # fmt: skip
                    overdue = DeliveryOverdue(shipment_id=event.shipment_id,  # type: ignore[attr-defined]
                                              order_id=event.order_id,  # type: ignore[attr-defined]
                                              promised_date=promised)  # fmt: skip
                    repo.add(Watch(id=wid, kind="delivery", due=due,
                                   order_id=overdue.order_id, event=overdue))  # fmt: skip
            elif kind == "ReadyForPickup":
                wid = f"pickup:{event.fulfillment_order_id}"  # type: ignore[attr-defined]
                if repo.find(wid) is None:
                    expires: dt.datetime = event.expires_at  # type: ignore[attr-defined]
                    reminder = PickupReminderDue(
                        fulfillment_order_id=event.fulfillment_order_id,  # type: ignore[attr-defined]
                        order_id=event.order_id,  # type: ignore[attr-defined]
                        location=event.location,  # type: ignore[attr-defined]
                        pickup_code=event.pickup_code,  # type: ignore[attr-defined]
                        expires_at=expires,
                    )
                    repo.add(Watch(id=wid, kind="pickup", due=expires - settings.pickup_reminder,
                                   order_id=reminder.order_id, event=reminder))  # fmt: skip
            else:
                prefix = "delivery" if kind == "ShipmentDelivered" else "pickup"
                ref = getattr(event, "shipment_id" if prefix == "delivery" else
                              "fulfillment_order_id", "")  # fmt: skip
                watch = repo.find(f"{prefix}:{ref}")
                if watch is not None and not watch.cleared:
                    watch.cleared = True
                    repo.save(watch)

        self._rt.run(use_case)

    def tick(self, *, actor: str = "system") -> int:
        """Fire every timer that is due; returns how many fired.

        Timers watch promised deliveries (late once the promised day is over) and
        pickups (a reminder before they expire). Call it on a timer, every few minutes.

        A fired timer records ``DeliveryOverdue`` or ``PickupReminderDue``, which the
        ``delay_detected`` and ``pickup_reminder`` triggers turn into messages; each
        timer fires once. ``actor`` is the job calling it (the audit log names it; the
        events keep the actor of the change that set the timer).
        """
        actor = _check_actor(actor)
        now = self._now()

        def use_case(uow: UnitOfWork) -> int:
            repo = uow.repo(WATCHES)
            fired = 0
            for watch in repo.list_by("open", "open"):
                if watch.due > now:
                    continue
                expires = getattr(watch.event, "expires_at", None)
                if isinstance(expires, dt.datetime) and expires <= now:
                    watch.cleared = True  # too late to remind: the pickup has expired
                else:
                    watch.fire()
                    fired += 1
                repo.save(watch)
            return fired

        return self._rt.run(use_case, actor=actor)

    # -- delivery -------------------------------------------------------------------
    def provider(self, name: str) -> NotificationProvider:
        """The provider registered as ``name``."""
        return self.providers.get(name)

    def deliver(self, limit: int = 500, *, actor: str = "system") -> DeliveryReport:
        """Send every message that is due (queued, or failed and past its back-off).

        Each message is stored before it is sent and marked after, in its own unit of
        work; a provider that fails never undoes anything and never loses a message.
        ``actor`` (the job or person sending) is recorded in each message's history and
        on its ``NotificationSent`` / ``NotificationDeadLettered`` event.
        """
        actor = _check_actor(actor)
        with self._lock:
            now = self._now()

            def due(uow: UnitOfWork) -> list[str]:
                repo = uow.repo(NOTIFICATIONS)
                found = [n for status in ("queued", "failed")
                         for n in repo.list_view("status", status)
                         if n.not_before <= now]  # fmt: skip
                found.sort(key=lambda n: (n.not_before, n.created_at, n.id))
                return [n.id for n in found[:limit]]

            counts = {"sent": 0, "failed": 0, "dead": 0}
            for message_id in self._read(due):
                counts[self._send_one(message_id, now, actor)] += 1
            return DeliveryReport(**counts)

    def _send_one(self, message_id: str, now: dt.datetime, actor: str) -> str:
        message = self._read(lambda uow: uow.repo(NOTIFICATIONS).get(message_id))
        provider_name = self.settings.providers.get(message.channel, "")
        outbound = OutboundMessage(
            id=message.id, key=message.key, channel=message.channel,
            recipient=message.recipient, subject=message.subject, text=message.text,
            html=message.html, locale=message.locale, trigger=message.trigger,
            order_id=message.order_id, unsubscribe_url=message.unsubscribe_url,
        )  # fmt: skip
        error, permanent, ref = "", False, ""
        if provider_name not in self.providers:
            error, permanent = (
                f"no provider {provider_name!r} for channel {message.channel!r}",
                True,
            )
        else:
            try:
                ref = str(self.providers.get(provider_name).send(outbound))
            except DeliveryRejected as exc:
                error, permanent = f"rejected: {exc}", True
            except Exception as exc:  # a provider's failure is recorded, never raised
                error = f"{type(exc).__name__}: {str(exc)[:300]}"
        return self._rt.run(lambda uow: self._mark(uow, message_id, now, provider=provider_name,
                                                   ref=ref, error=error, permanent=permanent,
                                                   actor=actor), actor=actor)  # fmt: skip

    def _mark(self, uow: UnitOfWork, message_id: str, now: dt.datetime, *, provider: str,
              ref: str, error: str, permanent: bool, actor: str) -> str:  # fmt: skip
        repo = uow.repo(NOTIFICATIONS)
        message = repo.get(message_id)
        message.attempts += 1
        message.provider = provider
        if not error:
            message.move("send", now, f"via {provider}", actor)
            message.sent_at, message.provider_ref, message.last_error = now, ref, ""
            message.record(NotificationSent(notification_id=message.id, trigger=message.trigger,
                                            channel=message.channel, order_id=message.order_id,
                                            provider=provider))  # fmt: skip
            outcome = "sent"
        elif permanent or message.attempts >= self.settings.max_attempts:
            message.last_error = error
            message.move("give_up", now, error, actor)
            message.record(NotificationDeadLettered(
                notification_id=message.id, trigger=message.trigger, channel=message.channel,
                order_id=message.order_id, error=error))  # fmt: skip
            outcome = "dead"
        else:
            message.last_error = error
            base = min(self.settings.backoff_seconds * 2 ** (message.attempts - 1),
                       self.settings.max_backoff_seconds)  # fmt: skip
            wait = dt.timedelta(seconds=base * _jitter(message.id, message.attempts))
            message.not_before = now + wait
            message.move("fail", now, f"{error}; next attempt at {message.not_before.isoformat()}",
                         actor)  # fmt: skip
            outcome = "failed"
        repo.save(message)
        return outcome

    def requeue(self, message_id: str, *, actor: str = "system") -> Notification:
        """Send a dead letter again: back to ``queued`` with a fresh set of attempts.

        Raises:
            InvalidTransition: the message is not dead.
        """
        actor = _check_actor(actor)
        now = self._now()

        def use_case(uow: UnitOfWork) -> Notification:
            repo = uow.repo(NOTIFICATIONS)
            message = repo.get(message_id)
            message.move("requeue", now, "requeued", actor)
            message.attempts, message.not_before = 0, now
            repo.save(message)
            return message

        message = self._rt.run(use_case)
        if self.settings.send_immediately:
            self.deliver(actor=actor)
        return self.get(message.id)

    # -- queries ------------------------------------------------------------------
    def get(self, message_id: str) -> Notification:
        """The message ``message_id``; raises ``NotFound``."""
        return self._read(lambda uow: uow.repo(NOTIFICATIONS).get(message_id))

    def messages(
        self,
        *,
        order_id: str | None = None,
        status: str | None = None,
        customer: str | None = None,
        trigger: str | None = None,
    ) -> list[Notification]:
        """Stored messages, oldest first, filtered by order, status, customer, trigger."""

        def query(uow: UnitOfWork) -> list[Notification]:
            by = {"order": ("order_id", order_id), "customer": ("customer", customer),
                  "status": ("status", status)}  # fmt: skip
            return select(uow.repo(NOTIFICATIONS), by, trigger=trigger)

        return self._read(query)

    def dead_letters(self) -> list[Notification]:
        """Messages that used up their attempts or were refused for good."""
        return self.messages(status="dead")

    # -- back-in-stock subscriptions ------------------------------------------------
    def subscribe_back_in_stock(
        self,
        sku: str,
        *,
        email: str | None = None,
        customer: str | None = None,
        location: str | None = None,
        channel: str | None = None,
        locale: str | None = None,
        actor: str = "system",
    ) -> StockSubscription:
        """Ask to be told (once) when ``sku`` is back in stock.

        Give ``email``, or ``customer`` (a registered customer's id: their email is
        used and their preferences apply), or both. ``location`` limits it to one
        location's stock; otherwise the salable quantity everywhere counts. ``channel``
        is the sales channel asked in (its locale is the fallback). Asking again for the
        same SKU, address and scope returns the open subscription.

        Raises:
            InvalidSku, UnknownSku: ``sku`` is malformed or not in the catalog.
            InvalidEmail: ``email`` is not an address.
            ValidationError: neither ``email`` nor ``customer``; a bad locale.
            NotFound: no such customer, location or channel.
        """
        actor = _check_actor(actor)
        sku = check_sku(sku)
        self._sources.product(sku)  # UnknownSku
        address = check_email(email) if email is not None else ""
        who = ""
        if customer is not None:
            found = self._sources.customer(check_text(customer, "customer", max_length=128))
            who, address = found.id, address or found.email
        if not address:
            raise ValidationError("email", email, "give an email address or a customer id")
        where = ""
        if location is not None:
            where = self._sources.location(check_text(location, "location", max_length=64)).id
        chan = ""
        if channel is not None:
            chan = self._sources.channel(check_text(channel, "channel", max_length=64)).id
        lang = check_locale(locale) if locale is not None else ""
        now = self._now()

        def use_case(uow: UnitOfWork) -> StockSubscription:
            repo = uow.repo(STOCK_SUBSCRIPTIONS)
            for open_one in repo.list_by("open_sku", sku):
                if (open_one.email, open_one.location, open_one.channel) == (
                    address.lower(),
                    where,
                    chan,
                ):
                    return open_one
            sub = StockSubscription(
                id=self._rt.ids.new_id("bis"), sku=sku, email=address.lower(),
                created_at=now, customer=who, location=where, channel=chan, locale=lang,
            )  # fmt: skip
            sub.history.append((now, "open", actor))
            repo.add(sub)
            return sub

        return self._rt.run(use_case)

    def unsubscribe_back_in_stock(
        self, subscription_id: str, *, actor: str = "system"
    ) -> StockSubscription:
        """Cancel an open back-in-stock subscription.

        Raises:
            NotFound: no such subscription.
            InvalidTransition: it is not open (already notified or cancelled).
        """
        actor = _check_actor(actor)
        now = self._now()

        def use_case(uow: UnitOfWork) -> StockSubscription:
            repo = uow.repo(STOCK_SUBSCRIPTIONS)
            sub = repo.get(subscription_id)
            sub.move("cancel", now, actor)
            repo.save(sub)
            return sub

        return self._rt.run(use_case)

    def back_in_stock_subscriptions(
        self, *, sku: str | None = None, email: str | None = None, status: str | None = None
    ) -> list[StockSubscription]:
        """Back-in-stock subscriptions, oldest first, by SKU, email and status."""

        def query(uow: UnitOfWork) -> list[StockSubscription]:
            repo = uow.repo(STOCK_SUBSCRIPTIONS)
            open_sku = sku if status == "open" else None
            by = {"open_sku": ("sku", open_sku), "sku": ("sku", sku),
                  "email": ("email", email.lower() if email else None)}  # fmt: skip
            return select(repo, by, status=status)

        return self._read(query)

    # -- preferences ---------------------------------------------------------------
    def preferences(self, customer: str) -> Preferences:
        """The stored preferences of ``customer`` (id or email), or the defaults."""
        found = self._read(lambda uow: uow.repo(PREFERENCES).find(customer))
        return found if found is not None else Preferences(id=customer)

    def set_preferences(
        self,
        customer: str,
        *,
        locale: str | None = None,
        time_zone: str | None = None,
        channel: str | None = None,
        quiet_hours: tuple[str | dt.time, str | dt.time] | bool | None = False,
        update_cap: tuple[int, int] | bool | None = False,
        actor: str = "system",
    ) -> Preferences:
        """Set ``customer``'s locale, time zone, preferred channel, quiet hours or cap.

        ``quiet_hours`` is ``("22:00", "07:00")`` (local time in ``time_zone``), ``None``
        to clear them; left out, they stay as they are. ``update_cap`` is ``(limit,
        hours)``: at most ``limit`` status updates in any ``hours`` (in place of the
        ``notifications.frequency_cap`` setting), ``None`` to clear it.
        """
        actor = _check_actor(actor)
        key = check_text(customer, "customer", max_length=254)
        changes: dict[str, Any] = {}
        if locale is not None:
            changes["locale"] = check_locale(locale)
        if time_zone is not None:
            changes["time_zone"] = check_time_zone(time_zone)
        if channel is not None:
            if channel:
                self._check_channels([channel])
            changes["channel"] = channel
        if quiet_hours is None:
            changes["quiet_hours"] = None
        elif quiet_hours is not False:
            changes["quiet_hours"] = _quiet_hours(quiet_hours)
        if update_cap is None:
            changes["update_cap"] = None
        elif update_cap is not False:
            changes["update_cap"] = _update_cap(update_cap)
        return self._change_preferences(key, actor, changes)

    def opt_out(self, customer: str, topic: str, channel: str = "*", *,
                actor: str = "system") -> Preferences:  # fmt: skip
        """Stop ``topic`` (``*``: every optional topic) on ``channel`` (``*``: all).

        Raises:
            ValidationError: ``topic`` is transactional (those always go).
        """
        actor = _check_actor(actor)
        self._check_topic(topic, for_opt_out=True)
        entry = f"{topic}:{channel}"

        def change(p: Preferences) -> None:
            p.opted_out = p.opted_out | {entry}
            p.opted_in = p.opted_in - {entry}

        return self._change_preferences(check_text(customer, "customer", max_length=254), actor,
                                        {}, change, f"opted out of {entry}")  # fmt: skip

    def opt_in(self, customer: str, topic: str, channel: str = "*", *,
               actor: str = "system") -> Preferences:  # fmt: skip
        """Ask for ``topic`` on ``channel`` (marketing topics need it; it lifts an opt-out)."""
        actor = _check_actor(actor)
        self._check_topic(topic, for_opt_out=False)
        entry = f"{topic}:{channel}"

        def change(p: Preferences) -> None:
            p.opted_in = p.opted_in | {entry}
            p.opted_out = (
                p.opted_out - {entry, f"{topic}:*"} if channel == "*" else (p.opted_out - {entry})
            )

        return self._change_preferences(check_text(customer, "customer", max_length=254), actor,
                                        {}, change, f"opted in to {entry}")  # fmt: skip

    def _check_topic(self, topic: object, *, for_opt_out: bool) -> None:
        kinds = {t.topic: t.kind for t in self.table.rows()}
        if topic == "*":
            return
        if topic not in kinds:
            raise ValidationError("topic", topic, f"expected one of {', '.join(sorted(kinds))}")
        if for_opt_out and kinds[str(topic)] in ("transactional", "staff"):
            optional = sorted(k for k, v in kinds.items() if v in ("updates", "marketing"))
            raise ValidationError(
                "topic", topic,
                f"transactional messages cannot be opted out of; optional topics: "
                f"{', '.join(optional)}",
            )  # fmt: skip

    def _change_preferences(
        self,
        key: str,
        actor: str,
        changes: dict[str, Any],
        fn: Callable[[Preferences], None] | None = None,
        what: str = "",
    ) -> Preferences:
        now = self._now()

        def use_case(uow: UnitOfWork) -> Preferences:
            repo = uow.repo(PREFERENCES)
            prefs = repo.find(key)
            if prefs is None:
                prefs = Preferences(id=key)
                repo.add(prefs)
            for name, value in changes.items():
                setattr(prefs, name, value)
            if fn is not None:
                fn(prefs)
            prefs.change(now, what or f"set {', '.join(sorted(changes))}", actor)
            repo.save(prefs)
            return prefs

        return self._rt.run(use_case)

    def unsubscribe_token(self, customer: str, topic: str, channel: str = "*") -> str:
        """A signed token that opts ``customer`` out of ``topic`` on ``channel``."""
        return unsubscribe_token(self._secret, customer, topic, channel)

    def unsubscribe(self, token: str, *, actor: str = "unsubscribe link") -> Preferences:
        """Apply a token from [`unsubscribe_token`][NotificationService.unsubscribe_token].

        Raises:
            UnsubscribeTokenInvalid: the token was not issued here or was altered.
        """
        customer, topic, channel = read_unsubscribe_token(self._secret, token)
        return self.opt_out(customer, topic, channel, actor=actor)


def _clock_time(value: object, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(field, value, "expected a local time such as '22:00'")


def _quiet_hours(value: object) -> tuple[str, str]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValidationError(
            "quiet_hours", value, "expected (start, end), e.g. ('22:00', '07:00')"
        )
    start = _clock_time(value[0], "quiet_hours.start")
    end = _clock_time(value[1], "quiet_hours.end")
    if start == end:
        raise ValidationError("quiet_hours", value, "start and end must differ")
    return start.isoformat(), end.isoformat()


def _update_cap(value: object) -> tuple[int, int]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValidationError("update_cap", value, "expected (limit, hours), e.g. (2, 24)")
    limit = check_quantity(value[0], "update_cap.limit", maximum=10_000)
    hours = check_quantity(value[1], "update_cap.hours", maximum=24 * 366)
    return limit, hours
