"""Access control: denials name actor, permission and scope; roles and scopes decide."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS, NotFound, ValidationError
from omskit.admin import (
    BUILTIN_ROLES,
    PERMISSIONS,
    AccessDenied,
    UnknownPermission,
    UnknownPrincipal,
    UnknownRole,
)

from .conftest import order_payload

#: What each built-in role may do: the specification the matrix test holds them to.
EXPECTED: dict[str, set[str]] = {
    "owner": set(PERMISSIONS),
    "manager": {p for p in PERMISSIONS if not p.startswith(("admin.", "events."))}
    | {"admin.approve"},
    "customer_service": {
        "orders.capture", "orders.edit", "orders.hold", "orders.release", "orders.cancel",
        "orders.approve", "customers.manage", "payments.refund", "returns.request",
        "returns.approve", "returns.manage", "returns.refund",
    },
    "warehouse": {
        "inventory.adjust", "inventory.receive", "inventory.transfer", "inventory.reserve",
        "fulfillment.pick", "fulfillment.pack", "fulfillment.ship", "fulfillment.pickup",
        "fulfillment.cancel", "carriers.labels", "returns.receive",
    },
    "finance": {p for p in PERMISSIONS if p.startswith(("payments.", "reports."))}
    | {"pricing.manage", "returns.refund"},
    "read_only": set(),
    "integration": {
        "orders.capture", "inventory.receive", "inventory.reserve", "carriers.tracking",
        "fulfillment.release", "fulfillment.dropship", "payments.authorize",
        "payments.capture", "events.manage", "returns.request",
    },
}  # fmt: skip


def test_the_expected_matrix_covers_every_builtin_role() -> None:
    assert set(EXPECTED) == set(BUILTIN_ROLES)


@pytest.mark.parametrize("role", sorted(BUILTIN_ROLES))
@pytest.mark.parametrize("permission", sorted(PERMISSIONS))
def test_permission_matrix(shop: OMS, role: str, permission: str) -> None:
    name = f"as-{role}"
    if permission == sorted(PERMISSIONS)[0] or name not in {p.id for p in shop.admin.principals()}:
        shop.admin.add_user(name, roles=[role], actor="root")
    assert shop.admin.can(name, permission) is (permission in EXPECTED[role])


def test_a_denied_call_names_actor_permission_and_scope(shop: OMS) -> None:
    with pytest.raises(AccessDenied) as caught:
        shop.orders.capture(order_payload(), actor="rita")
    err = caught.value
    assert (err.actor, err.permission) == ("rita", "orders.capture")
    assert "channel 'web'" in err.scope
    assert "'rita' may not 'orders.capture'" in str(err)
    assert "read_only" in str(err)
    assert isinstance(err, PermissionError)
    assert shop.orders.find_by_external("web", "W-1") is None


def test_calls_without_an_actor_are_refused_once_access_control_is_on(shop: OMS) -> None:
    with pytest.raises(AccessDenied, match="no principal 'system'"):
        shop.catalog.add_product("NEW-1", name="New", price="1.00", currency="EUR")
    with pytest.raises(NotFound):
        shop.catalog.get("NEW-1")


def test_an_actor_that_does_not_exist_is_refused(shop: OMS) -> None:
    with pytest.raises(AccessDenied, match="no principal 'ghost'"):
        shop.inventory.adjust("TEE-M", location="BER", delta=1, reason="x", actor="ghost")
    assert shop.inventory.level("TEE-M", "BER").on_hand == 40


def test_acting_as_sets_the_actor_of_calls_that_take_none(shop: OMS) -> None:
    with pytest.raises(AccessDenied):
        shop.catalog.add_product("NEW-1", name="New", price="1.00", currency="EUR")
    with shop.admin.acting_as("mia"):
        shop.catalog.add_product("NEW-1", name="New", price="1.00", currency="EUR")
        order = shop.orders.capture(order_payload())
    assert shop.catalog.get("NEW-1").name == "New"
    # the actor reached the order's own timeline too
    assert shop.orders.history(order.id)[0].actor == "mia"


def test_an_explicit_actor_wins_over_acting_as(shop: OMS) -> None:
    with shop.admin.acting_as("mia"), pytest.raises(AccessDenied):
        shop.orders.capture(order_payload(), actor="rita")


def test_a_clerk_at_one_store_cannot_touch_another(shop: OMS) -> None:
    shop.inventory.adjust("TEE-M", location="TLV", delta=-1, reason="damaged", actor="tal")
    with pytest.raises(AccessDenied) as caught:
        shop.inventory.adjust("TEE-M", location="BER", delta=-1, reason="x", actor="tal")
    assert caught.value.scope == "{location 'BER'}"
    assert shop.inventory.level("TEE-M", "BER").on_hand == 40
    assert shop.inventory.level("TEE-M", "TLV").on_hand == 9


def test_a_transfer_needs_both_ends_in_scope(shop: OMS) -> None:
    with pytest.raises(AccessDenied, match=r"location 'BER'.*location 'TLV'"):
        shop.inventory.transfer("TEE-M", source="TLV", target="BER", quantity=1, actor="tal")
    shop.admin.grant("tal", "warehouse", locations=["BER"], actor="root")
    with pytest.raises(AccessDenied):  # two grants, but no single one covers both ends
        shop.inventory.transfer("TEE-M", source="TLV", target="BER", quantity=1, actor="tal")
    shop.admin.grant("tal", "warehouse", locations=["BER", "TLV"], actor="root")
    shop.inventory.transfer("TEE-M", source="TLV", target="BER", quantity=1, actor="tal")
    assert shop.inventory.level("TEE-M", "BER").on_hand == 41


def test_a_channel_scoped_agent_works_only_in_their_channel(shop: OMS) -> None:
    web = shop.orders.capture(order_payload("W-1"), actor="web-cs")
    market = shop.orders.capture(order_payload("A-1", channel="amazon-de"), actor="cara")
    shop.orders.hold(web.id, reason="customer called", actor="web-cs")
    with pytest.raises(AccessDenied, match="channel 'amazon-de'"):
        shop.orders.hold(market.id, reason="x", actor="web-cs")
    assert not shop.orders.get(market.id).on_hold


def test_fulfillment_is_scoped_by_the_location_that_fulfils(shop: OMS) -> None:
    order = shop.orders.capture(order_payload(), actor="cara")
    (fo,) = _as(shop, "mia", shop.fulfillment.release, order.id)
    assert fo.location == "BER"
    with pytest.raises(AccessDenied, match="location 'BER'"):
        _as(shop, "tal", shop.fulfillment.accept, fo.id)
    _as(shop, "wes", shop.fulfillment.accept, fo.id)
    _as(shop, "wes", shop.fulfillment.confirm_pick, fo.id)
    _as(shop, "wes", shop.fulfillment.pack, fo.id)
    shipment = _as(shop, "wes", shop.fulfillment.ship, fo.id)
    _as(shop, "wes", shop.fulfillment.hand_over, shipment.id)
    # the order's own shipment bookkeeping ran nested, not checked again
    assert shop.orders.get(order.id).status == "shipped"


def _as(shop: OMS, actor: str, method: Any, *args: Any, **kwargs: Any) -> Any:
    with shop.admin.acting_as(actor):
        return method(*args, **kwargs)


def test_an_unresolvable_scope_is_covered_only_by_an_unlimited_grant(shop: OMS) -> None:
    with pytest.raises(AccessDenied, match="unresolved"):
        shop.orders.hold("ord_nope", reason="x", actor="web-cs")
    with pytest.raises(NotFound):  # an unlimited grant gets the call's own error
        shop.orders.hold("ord_nope", reason="x", actor="cara")


def test_a_deactivated_principal_may_do_nothing(shop: OMS) -> None:
    shop.admin.deactivate("cara", reason="left the company", actor="root")
    with pytest.raises(AccessDenied, match="deactivated"):
        shop.orders.capture(order_payload(), actor="cara")
    assert not shop.admin.can("cara", "orders.capture")
    assert shop.admin.allowed("cara") == []
    shop.admin.reactivate("cara", actor="root")
    shop.orders.capture(order_payload(), actor="cara")


def test_only_user_managers_manage_users(shop: OMS) -> None:
    with pytest.raises(AccessDenied, match=r"admin.manage_users"):
        shop.admin.add_user("eve", roles=["owner"], actor="mia")
    with pytest.raises(UnknownPrincipal):
        shop.admin.principal("eve")
    shop.admin.add_user("eve", roles=["read_only"], actor="root")
    assert shop.admin.principal("eve").grants[0].role == "read_only"


def test_custom_roles_from_named_permissions(shop: OMS) -> None:
    shop.admin.define_role("refunds_desk", ["payments.refund", "orders.hold"],
                           description="refunds only", actor="root")  # fmt: skip
    shop.admin.add_user("rex", roles=[{"role": "refunds_desk", "channels": ["web"]}],
                        actor="root")  # fmt: skip
    assert shop.admin.can("rex", "payments.refund", channel="web")
    assert not shop.admin.can("rex", "payments.refund", channel="amazon-de")
    assert not shop.admin.can("rex", "orders.cancel", channel="web")
    assert shop.admin.allowed("rex") == ["orders.hold", "payments.refund"]
    shop.admin.define_role("stock_all", ["inventory.*"], actor="root")
    assert set(shop.admin.role("stock_all").expanded()) == {
        p for p in PERMISSIONS if p.startswith("inventory.")
    }


def test_a_held_role_cannot_be_deleted_and_a_deleted_one_is_gone(shop: OMS) -> None:
    shop.admin.define_role("temp", ["orders.hold"], actor="root")
    shop.admin.add_user("tim", roles=["temp"], actor="root")
    with pytest.raises(ValidationError, match="held by"):
        shop.admin.delete_role("temp", actor="root")
    shop.admin.revoke("tim", "temp", actor="root")
    shop.admin.delete_role("temp", actor="root")
    with pytest.raises(UnknownRole):
        shop.admin.role("temp")
    with pytest.raises(UnknownRole):
        shop.admin.grant("tim", "temp", actor="root")


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (lambda a: a.define_role("x", ["orders.teleport"], actor="root"), UnknownPermission,
         "permissions[0]"),
        (lambda a: a.define_role("x", "orders.cancel", actor="root"), ValidationError,
         "permissions"),
        (lambda a: a.define_role("owner", ["orders.cancel"], actor="root"), Exception, None),
        (lambda a: a.add_user("u1", roles=["wizard"], actor="root"), UnknownRole, None),
        (lambda a: a.add_user("u1", roles=[{"role": "warehouse", "stores": ["X"]}],
                              actor="root"), ValidationError, "roles[0].stores"),
        (lambda a: a.add_user("u1", roles=[{"role": "warehouse", "locations": "BER"}],
                              actor="root"), ValidationError, "roles[0].locations"),
        (lambda a: a.add_user("", actor="root"), ValidationError, "name"),
        (lambda a: a.add_user("mia", actor="root"), Exception, None),
        (lambda a: a.grant("nobody", "warehouse", actor="root"), UnknownPrincipal, None),
        (lambda a: a.can("mia", "orders.teleport"), UnknownPermission, "permission"),
    ],
)  # fmt: skip
def test_bad_admin_input_is_refused_and_names_the_field(shop: OMS, call, error, field) -> None:  # type: ignore[no-untyped-def]
    before = [(p.id, p.grants, p.version) for p in shop.admin.principals()]
    with pytest.raises(error) as caught:
        call(shop.admin)
    if field is not None:
        assert caught.value.field == field
    assert [(p.id, p.grants, p.version) for p in shop.admin.principals()] == before


def test_enabling_needs_a_principal_who_may_configure(clock) -> None:  # type: ignore[no-untyped-def]
    oms = OMS.in_memory(clock=clock, autoload=False)
    with pytest.raises(AccessDenied, match=r"admin.configure"):
        oms.admin.enable(actor="system")
    assert not oms.admin.enforcing
    oms.admin.add_user("boss", roles=["owner"])
    oms.admin.enable(actor="boss")
    assert oms.admin.enforcing
    assert oms.admin.auditing


def test_access_control_from_configuration_needs_an_owner(clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        OMS.in_memory({"admin": {"access_control": True}}, clock=clock, autoload=False)
    assert caught.value.field == "admin.owner"
    with pytest.raises(ValidationError) as caught:
        OMS.in_memory({"admin": {"acces_control": True}}, clock=clock, autoload=False)
    assert caught.value.field == "admin.acces_control"
    oms = OMS.in_memory({"admin": {"access_control": True, "owner": "root"}}, clock=clock,
                        autoload=False)  # fmt: skip
    assert oms.admin.enforcing
    assert oms.admin.principal("root").grants[0].role == "owner"


def test_disabling_is_itself_a_guarded_change(shop: OMS) -> None:
    with pytest.raises(AccessDenied, match=r"admin.configure"):
        shop.admin.disable(actor="mia")
    assert shop.admin.enforcing
    shop.admin.disable(actor="root")
    assert not shop.admin.enforcing
    shop.catalog.add_product("FREE-1", name="Free", price="1.00", currency="EUR")


def test_returns_are_scoped_by_the_location_the_goods_go_back_to(shop: OMS) -> None:
    order = shop.orders.capture(order_payload(), actor="cara")
    quantities = {line.id: line.quantity for line in order.lines}
    with shop.runtime.transaction() as uow:
        shop.orders.record_shipment_in(uow, order.id, quantities, shipment_id="S1",
                                       actor="root")  # fmt: skip
        shop.orders.record_delivery_in(uow, order.id, quantities, shipment_id="S1",
                                       actor="root")  # fmt: skip
    rma = shop.returns.request(order.id, {order.lines[0].id: 1}, actor="cara")
    with pytest.raises(AccessDenied, match=r"returns\.approve"):
        shop.returns.authorize(rma.id, location="BER", actor="wes")
    rma = shop.returns.authorize(rma.id, location="BER", actor="mia")
    with pytest.raises(AccessDenied, match="location 'BER'") as caught:
        shop.returns.receive(rma.id, actor="tal")
    assert "channel 'web'" in caught.value.scope
    assert shop.returns.get(rma.id).status == rma.status
    received = shop.returns.receive(rma.id, actor="wes")
    assert received.status != rma.status
