"""Messages, preferences and support cases in a data subject request.

See ``omskit.customers.privacy``. Erasure rewrites every message sent to the person
(recipient, subject, text and HTML), resets their preferences to "send nothing"
(``*:*`` opted out, no locale, time zone or quiet hours, no history), and blanks the
subject and message bodies of their support cases, keeping the times, statuses and
assignments a service report counts. A message still waiting to be sent blocks erasure.
"""

from __future__ import annotations

from typing import Any

import attrs

from omskit.customers.privacy import ERASED, Person, PersonalData, is_erased_email
from omskit.notifications.model import NOTIFICATIONS, Notification
from omskit.notifications.preferences import PREFERENCES, Preferences
from omskit.notifications.support import CASES, SupportCase
from omskit.storage.ports import UnitOfWork

__all__ = ["MESSAGE_DATA", "PREFERENCE_DATA", "SUPPORT_DATA"]


def _messages(uow: UnitOfWork, person: Person) -> list[Notification]:
    repo = uow.repo(NOTIFICATIONS)
    found: dict[str, Notification] = {}
    for order_id in sorted(person.order_ids):
        found.update((n.id, n) for n in repo.list_by("order", order_id))
    for key in sorted(person.keys):
        found.update((n.id, n) for n in repo.list_by("customer", key))
    return sorted(found.values(), key=lambda n: (n.created_at, n.id))


def _message_blocking(uow: UnitOfWork, person: Person) -> list[str]:
    return [
        f"message {n.id} is {n.status} (erase once it is sent or dead)"
        for n in _messages(uow, person)
        if n.due
    ]


def _erase_messages(uow: UnitOfWork, person: Person) -> int:
    repo = uow.repo(NOTIFICATIONS)
    replacement = person.replacement_email
    changed = 0
    for message in _messages(uow, person):
        if is_erased_email(message.recipient) or message.recipient == ERASED:
            continue
        new = replacement if "@" in message.recipient else ERASED
        message.key = message.key.replace(message.recipient, new)
        message.recipient = new
        if message.customer in person.emails:
            message.customer = replacement
        message.subject = message.text = message.html = ERASED
        message.last_error = ""
        repo.save(message)
        changed += 1
    return changed


def _preferences(uow: UnitOfWork, person: Person) -> list[Preferences]:
    repo = uow.repo(PREFERENCES)
    return [p for key in sorted(person.keys) if (p := repo.find(key)) is not None]


_SILENT = frozenset({"*:*"})


def _erase_preferences(uow: UnitOfWork, person: Person) -> int:
    repo = uow.repo(PREFERENCES)
    changed = 0
    for prefs in _preferences(uow, person):
        if prefs.opted_out == _SILENT and not prefs.history and not prefs.opted_in:
            continue
        prefs.locale = prefs.time_zone = prefs.channel = ""
        prefs.quiet_hours = None
        prefs.opted_out, prefs.opted_in = _SILENT, frozenset()
        prefs.history = []
        repo.save(prefs)
        changed += 1
    return changed


def _cases(uow: UnitOfWork, person: Person) -> list[SupportCase]:
    repo = uow.repo(CASES)
    found: dict[str, SupportCase] = {}
    for key in sorted(person.keys):
        found.update((c.id, c) for c in repo.list_by("customer", key))
    for order_id in sorted(person.order_ids):
        found.update((c.id, c) for c in repo.list_by("order", order_id))
    return sorted(found.values(), key=lambda c: (c.opened_at, c.id))


def _find_cases(uow: UnitOfWork, person: Person) -> Person:
    return person.widen(case_ids=frozenset(c.id for c in _cases(uow, person)))


def _erase_cases(uow: UnitOfWork, person: Person) -> int:
    repo = uow.repo(CASES)
    changed = 0
    for case in _cases(uow, person):
        if case.subject == ERASED:
            continue
        case.subject = ERASED
        if case.customer in person.keys:
            case.customer = person.replacement_email
        case.messages = [
            attrs.evolve(
                m,
                body=ERASED,
                author=ERASED
                if m.author_kind == "customer" or m.author in person.keys
                else m.author,
            )
            for m in case.messages
        ]
        repo.save(case)
        changed += 1
    return changed


def _nothing(uow: UnitOfWork, person: Person) -> list[Any]:
    return []


def _same(uow: UnitOfWork, person: Person) -> Person:
    return person


#: Messages sent (or to be sent) to the person.
MESSAGE_DATA = PersonalData("messages", _same, _messages, _message_blocking, _erase_messages)
#: The person's notification preferences.
PREFERENCE_DATA = PersonalData("preferences", _same, _preferences, _nothing, _erase_preferences)
#: The person's support cases.
SUPPORT_DATA = PersonalData("support_cases", _find_cases, _cases, _nothing, _erase_cases)
