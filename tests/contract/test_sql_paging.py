"""``orders.list`` on a SQL store filters, sorts and pages in SQL, with the memory answers.

The same orders are written to the in-memory store and to each durable one (same clock,
same ids); Hypothesis then asks all of them random questions and wants one answer. On
SQL stores only the page's rows are decoded, and on SQLite the plan uses the indexes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omskit import OMS
from omskit.errors import OmskitError
from omskit.ids import SequentialIds
from omskit.orders import ORDERS, OrderQuery
from omskit.orders.lifecycle import ORDER_STATUSES
from omskit.storage import sql
from omskit.storage.sqlite import SqliteStore
from omskit.testing import FakeClock

from ..stores import BACKENDS, store_url  # noqa: TID252 - shared test helpers

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
EMAILS = ["dana@example.com", "Eli@Example.com", "max@example.net", "kim@example.org"]
CHANNELS = ["web", "amazon-de"]
PLUS2 = dt.timezone(dt.timedelta(hours=2))


def _order(n: int) -> dict[str, Any]:
    return {
        "channel": CHANNELS[n % 2],
        "external_id": f"X-{n}",
        "customer": {"email": EMAILS[n % len(EMAILS)]},
        "ship_to": {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                    "postal_code": "10115"},
        "lines": [{"sku": "TEE", "quantity": 1 + n % 3}],
    }  # fmt: skip


def _fill(oms: OMS, clock: FakeClock) -> None:
    oms.channels.add("amazon-de", name="Amazon DE", kind="marketplace", currencies=["EUR"])
    oms.customers.register("dana@example.com", name="Dana Levi")
    oms.customers.register("kim@example.org", name="Kim Ito")
    oms.inventory.add_location("BER", name="BER", country="DE", lat=52.5, lon=13.4)
    oms.catalog.add_product("TEE", name="Tee", price="10.00", currency="EUR")
    oms.inventory.receive("TEE", location="BER", quantity=100_000)
    for n in range(48):
        # several orders in one instant, some in the next hours and days, and some
        # imported late with an earlier time (so time order is not write order)
        clock.advance(seconds=0 if n % 5 == 1 else 3600 * (1 + n % 7))
        if n % 9 == 4:
            clock.advance(hours=-30)
        order = oms.orders.capture(_order(n))
        if n % 4 == 1 and order.status != "on_hold":
            oms.orders.hold(order.id, reason="check")
        elif n % 6 == 2:
            oms.orders.cancel(order.id, reason="customer asked")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, OMS]]:
    directory = tmp_path_factory.mktemp("paging")
    opened: dict[str, OMS] = {}
    for kind in BACKENDS:
        clock = FakeClock(T0)
        if kind == "memory":
            oms = OMS.in_memory(clock=clock, ids=SequentialIds(), autoload=False)
        else:
            try:
                url = store_url(kind, directory)
            except pytest.skip.Exception:
                continue
            oms = OMS.open(url, clock=clock, ids=SequentialIds(), autoload=False)
        _fill(oms, clock)
        opened[kind] = oms
    yield opened
    for oms in opened.values():
        oms.close()


moments = st.sampled_from(
    [T0 + dt.timedelta(hours=h) for h in (0, 5, 26, 47, 80, 150, 400)]
).flatmap(lambda m: st.sampled_from([m, m.astimezone(PLUS2)]))
queries = st.builds(
    OrderQuery,
    channel=st.none() | st.sampled_from([*CHANNELS, "ebay"]),
    customer=st.none()
    | st.sampled_from([*EMAILS, "DANA@example.com", "cus_000001", "cus_000002", "x@y.z"]),
    status=st.none() | st.sampled_from(ORDER_STATUSES),
    since=st.none() | moments,
    until=st.none() | moments,
    offset=st.integers(0, 50),
    limit=st.integers(1, 20),
)


@settings(max_examples=150, deadline=None)
@given(query=queries)
def test_every_store_answers_a_random_query_alike(stores: dict[str, OMS], query: Any) -> None:
    answers = {}
    for kind, oms in stores.items():
        page = oms.orders.list(query)
        answers[kind] = (
            [(o.id, o.status, o.version) for o in page.items],
            page.total,
            page.has_more,
        )
    assert len(set(map(repr, answers.values()))) == 1, answers


def test_a_sql_store_decodes_only_the_page(
    stores: dict[str, OMS], monkeypatch: pytest.MonkeyPatch
) -> None:
    durable = {k: v for k, v in stores.items() if k != "memory"}
    assert durable
    decoded: list[str] = []
    real = sql.decode_row

    def counting(spec: Any, version: int, body: Any) -> Any:
        decoded.append(spec.name)
        return real(spec, version, body)

    monkeypatch.setattr(sql, "decode_row", counting)
    for oms in durable.values():
        decoded.clear()
        page = oms.orders.list(channel="web", offset=3, limit=4)
        assert (len(page.items), page.total) == (4, 24)
        assert decoded.count("orders") == 4  # not the 24 of the channel, nor all 48
        decoded.clear()
        page = oms.orders.list(customer="dana@example.com", status="allocated", limit=2)
        assert decoded.count("orders") == len(page.items) <= 2


def test_sqlite_plans_the_order_query_on_its_indexes(stores: dict[str, OMS]) -> None:
    oms = stores.get("sqlite")
    if oms is None:
        pytest.skip("no SQLite store")
    store = oms.runtime.storage
    assert isinstance(store, SqliteStore)
    conn = store.acquire()
    for criteria, index in (
        ("x_channel = ?", "orders_x_channel"),
        ("x_status = ?", "orders_x_status"),
        ("x_created >= ? AND x_created < ?", "orders_x_created"),
        ("(x_customer_id = ? OR x_customer = ?)", "orders_x_customer"),
    ):
        sql_text = f"SELECT id FROM orders WHERE {criteria} ORDER BY x_created, id LIMIT 5"
        arguments = ("a",) * sql_text.count("?")
        plan = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql_text}", arguments)]
        reads = [line for line in plan if " orders" in line]
        assert reads, plan
        assert all("USING INDEX" in line or "USING COVERING INDEX" in line for line in reads), plan
        assert any(index in line for line in reads), plan  # never a full table scan


def test_page_refuses_an_unknown_index_or_operator(stores: dict[str, OMS]) -> None:
    for kind, oms in stores.items():
        if kind == "memory":
            continue
        with oms.runtime.storage.unit_of_work() as uow:
            repo: Any = uow.repo(ORDERS)
            with pytest.raises(OmskitError, match="no index 'colour'"):
                repo.page([[("colour", "=", "red")]])
            with pytest.raises(OmskitError, match="unknown operator '~'"):
                repo.page([[("status", "~", "x")]])
