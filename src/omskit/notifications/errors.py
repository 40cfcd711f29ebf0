"""Errors of the notifications capability (all re-exported from ``omskit``)."""

from __future__ import annotations

from collections.abc import Iterable

from omskit.errors import NotFound, OmskitError, ValidationError

__all__ = [
    "DeliveryRejected",
    "TemplateRenderError",
    "UnknownTemplate",
    "UnknownTrigger",
    "UnsubscribeTokenInvalid",
]


class UnknownTrigger(NotFound):
    """No notification trigger has this name."""

    def __init__(self, name: object, known: Iterable[str]) -> None:
        self.name = name
        listed = ", ".join(repr(k) for k in sorted(known)) or "none"
        super().__init__("notification trigger", name, f"known: {listed}")


class UnknownTemplate(NotFound):
    """No template exists under this name, in any locale."""

    def __init__(self, name: object, known: Iterable[str]) -> None:
        self.name = name
        listed = ", ".join(repr(k) for k in sorted(known)) or "none"
        super().__init__("notification template", name, f"known: {listed}")


class TemplateRenderError(ValidationError):
    """A template does not compile, or names something its context does not have.

    ``field`` is ``"<template name>.<part>"`` (``"shipped.html"``); the message says what
    jinja2 found wrong.
    """


class UnsubscribeTokenInvalid(ValidationError):
    """An unsubscribe token that was not issued by this OMS (or was altered)."""


class DeliveryRejected(OmskitError):
    """Raised by a provider for a message that will never go through (a bad address).

    The message is parked as a dead letter at once, without further retries; any other
    exception a provider raises counts as a transient failure and is retried.
    """
