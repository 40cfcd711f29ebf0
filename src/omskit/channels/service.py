"""The channel service: add, change and look up sales channels."""

from __future__ import annotations

import contextlib
from typing import Any

import attrs

from omskit.channels.model import CHANNELS, Channel, clean_channel_fields
from omskit.errors import AlreadyExists, NotFound, ValidationError
from omskit.events import Event
from omskit.runtime import Runtime
from omskit.storage.ports import Repository, UnitOfWork
from omskit.validation import check_text

__all__ = ["ChannelAdded", "ChannelService", "ChannelUpdated", "load_channel"]


@attrs.frozen(kw_only=True)
class ChannelAdded(Event):
    """A sales channel was set up."""

    channel: str
    kind: str


@attrs.frozen(kw_only=True)
class ChannelUpdated(Event):
    """Settings of a channel changed; ``changed`` names them."""

    channel: str
    changed: tuple[str, ...]


def load_channel(channels: Repository[Channel], code: str, field: str = "channel") -> Channel:
    """The active channel ``code``; raises [`NotFound`][] naming the known channels."""
    channel = channels.find(code) if isinstance(code, str) else None
    if channel is None or not channel.active:
        known = sorted(c.id for c in channels.scan() if c.active)
        raise NotFound("channel", code, f"{field} must be one of: {', '.join(known) or 'none'}")
    return channel


class ChannelService:
    """Sales channels. Reached as ``oms.channels``.

    A new OMS has one channel, ``"web"``, selling in the configured default currency.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def add(self, code: str, *, actor: str = "system", **fields: Any) -> Channel:
        """Set up a channel; see [`Channel`][] for the fields.

        Raises:
            ValidationError: listing every invalid field.
            AlreadyExists: the code is taken.
        """
        code = check_text(code, "code", max_length=64)
        clean = clean_channel_fields({"name": fields.pop("name", code), **fields})

        def use_case(uow: UnitOfWork) -> Channel:
            channels = uow.repo(CHANNELS)
            if channels.find(code) is not None:
                raise AlreadyExists("channel", code)
            channel = Channel(id=code, **clean)
            channel.record(ChannelAdded(channel=code, kind=channel.kind))
            channels.add(channel)
            return channel

        return self._rt.run(use_case, actor=actor)

    def update(self, code: str, *, actor: str = "system", **changes: Any) -> Channel:
        """Change some settings of a channel."""
        clean = clean_channel_fields(changes, partial=True)
        if not clean:
            raise ValidationError("changes", {}, "give at least one setting to change")

        def use_case(uow: UnitOfWork) -> Channel:
            channels = uow.repo(CHANNELS)
            channel = channels.get(code)
            changed = tuple(k for k, v in clean.items() if getattr(channel, k) != v)
            for key, value in clean.items():
                setattr(channel, key, value)
            if changed:
                channel.record(ChannelUpdated(channel=code, changed=changed))
                channels.save(channel)
            return channel

        return self._rt.run(use_case, actor=actor)

    def get(self, code: str) -> Channel:
        """The active channel ``code``; raises [`NotFound`][] naming the known ones."""
        with self._rt.storage.unit_of_work() as uow:
            return load_channel(uow.repo(CHANNELS), code)

    def list(self) -> list[Channel]:
        """Every channel, oldest first."""
        with self._rt.storage.unit_of_work() as uow:
            return list(uow.repo(CHANNELS).scan())

    def ensure_default(self) -> None:
        """Create the ``"web"`` channel if no channel exists yet."""
        with self._rt.storage.unit_of_work() as uow:
            if uow.repo(CHANNELS).count():
                return
        with contextlib.suppress(AlreadyExists):  # another thread created it first
            self.add("web", name="Web shop", kind="web",
                     currencies=[self._rt.config.default_currency])  # fmt: skip
