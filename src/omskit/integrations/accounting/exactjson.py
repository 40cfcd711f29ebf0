"""JSON with exact numbers (see [`dumps_exact`][omskit.integrations.transport.dumps_exact])."""

from omskit.integrations.transport import dumps_exact

__all__ = ["dumps_exact"]
