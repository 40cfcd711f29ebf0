"""Addresses of the real services some tests talk to, read from the environment.

A test that needs PostgreSQL, RabbitMQ, NATS or Redis asks for its address here (one
that drives a program, such as Chromium, asks for its path with ``tool_path``). On a
machine without the service the test skips and says which variable to set; in CI, where
``OMSKIT_REQUIRE_SERVICES=1``, a missing address fails the test instead, so a service test
can never pass by being skipped.
"""

from __future__ import annotations

import os
import shutil

import pytest

#: The variable each service's address is read from, and the address on this project's
#: machines (written in ``.ci/run``).
SERVICES: dict[str, str] = {
    "postgres": "OMSKIT_TEST_POSTGRES_DSN",
    "rabbitmq": "OMSKIT_TEST_RABBITMQ_URL",
    "nats": "OMSKIT_TEST_NATS_URL",
    "redis": "OMSKIT_TEST_REDIS_URL",
}


def service_address(service: str) -> str:
    """The address of ``service``, or skip (fail under ``OMSKIT_REQUIRE_SERVICES=1``)."""
    variable = SERVICES[service]
    address = os.environ.get(variable, "").strip()
    if address:
        return address
    reason = f"{service} tests need {variable} (e.g. the address in .ci/run)"
    if os.environ.get("OMSKIT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"OMSKIT_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


#: Programs some tests drive (a real headless browser), with how CI gets them.
TOOLS: dict[str, str] = {
    "chromium": "apt-get install -y chromium (.ci/run installs it when missing)",
}


def tool_path(tool: str) -> str:
    """The path of program ``tool``, or skip (fail under ``OMSKIT_REQUIRE_SERVICES=1``)."""
    found = shutil.which(tool)
    if found:
        return found
    reason = f"{tool} is not installed; {TOOLS[tool]}"
    if os.environ.get("OMSKIT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"OMSKIT_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)
