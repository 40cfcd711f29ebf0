"""Sales channels: web shop, marketplaces, phone and point of sale."""

from omskit.channels.model import CHANNEL_KINDS, CHANNELS, Channel
from omskit.channels.service import ChannelAdded, ChannelService, ChannelUpdated, load_channel

__all__ = [
    "CHANNELS",
    "CHANNEL_KINDS",
    "Channel",
    "ChannelAdded",
    "ChannelService",
    "ChannelUpdated",
    "load_channel",
]
