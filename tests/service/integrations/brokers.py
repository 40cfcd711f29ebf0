"""What the broker relay tests share: a loopback proxy to cut, the OMS, an outage."""

from __future__ import annotations

import contextlib
import socket
import threading

from omskit import OMS
from omskit.config import OMSConfig
from omskit.events import RetryPolicy
from omskit.integrations.broker import BrokerRelay
from omskit.testing import FakeClock


class Proxy:
    """Forwards 127.0.0.1:<port> to the broker until ``cut()``; ``restore()`` resumes."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            _hang_up(s)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for s in self.sockets:
                _hang_up(s)
            self.sockets.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def _hang_up(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    s.close()


def make_oms(clock: FakeClock) -> OMS:
    """An OMS whose dispatcher retries for long enough to ride out a test's outage."""
    config = OMSConfig(events=RetryPolicy(max_attempts=100, backoff_seconds=1))
    return OMS.in_memory(config, clock=clock, autoload=False)


def through_an_outage(oms: OMS, relay: BrokerRelay, proxy: Proxy, clock: FakeClock) -> None:
    """Commit events while the broker is cut off, then restore it and let them out.

    Two products, A (added before the cut) and B, each added and updated: three events
    wait in the outbox during the outage and all go out once the broker is back.
    """
    oms.catalog.add_product(sku="A", name="A", price="1.00", currency="EUR")
    proxy.cut()  # the broker is unreachable from here on
    oms.catalog.add_product(sku="B", name="B", price="1.00", currency="EUR")
    oms.catalog.update_product("A", name="A2")
    oms.catalog.update_product("B", name="B2")
    assert oms.runtime.dispatcher.pending_count() == 3  # kept, not lost
    assert relay.published == 1
    proxy.restore()
    for _ in range(20):
        clock.advance(seconds=120)
        oms.runtime.dispatcher.dispatch()
        if not oms.runtime.dispatcher.pending_count():
            break
    assert oms.runtime.dispatcher.pending_count() == 0
