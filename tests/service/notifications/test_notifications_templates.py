"""Every trigger renders in every built-in locale; RTL, fallback, overrides, the sandbox."""

from __future__ import annotations

import babel.dates
import pytest

from omskit import OMS, NotFound, TemplateRenderError, UnknownTrigger
from omskit.money import format_money
from omskit.notifications.builtin import BUILTIN_LOCALES
from omskit.notifications.triggers import DEFAULT_TRIGGERS

from .conftest import Capture, recorder

FSI, PDI = "\u2068", "\u2069"
RTL = {"he", "ar"}


@pytest.mark.parametrize("locale", BUILTIN_LOCALES)
@pytest.mark.parametrize("trigger", [t.name for t in DEFAULT_TRIGGERS])
def test_every_trigger_renders_in_every_built_in_locale(
    world: OMS, capture: Capture, trigger: str, locale: str
) -> None:
    order = capture({"TEE-M": 2})
    rendered = world.notifications.preview(trigger, order.id, locale)
    assert rendered.locale == locale
    assert rendered.note == ""
    assert rendered.subject.strip()
    assert rendered.text.strip()
    assert "{{" not in rendered.text + rendered.html
    assert "{%" not in rendered.text
    direction = "rtl" if locale in RTL else "ltr"
    assert rendered.direction == direction
    assert f'<html lang="{locale}" dir="{direction}">' in rendered.html
    assert f'<body dir="{direction}">' in rendered.html
    assert rendered.html.count("<p>") == rendered.html.count("</p>") >= 1
    template = world.notifications.table.get(trigger).template
    if "order_number|ref" in world.notifications.templates(template)[0].subject:
        number = order.external_id
        if locale in RTL:
            assert f"{FSI}{number}{PDI}" in rendered.subject
            if number in rendered.text:
                assert f"{FSI}{number}{PDI}" in rendered.text
                assert f"<bdi>{number}</bdi>" in rendered.html
        else:
            assert number in rendered.subject
            assert FSI not in rendered.subject


def test_amounts_and_dates_are_what_babel_gives_for_the_readers_locale(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 2})
    for locale in ("de", "ja", "fr", "en"):
        text = world.notifications.preview("order_confirmed", order.id, locale).text
        assert format_money(order.total.gross, locale) in text
    hebrew = world.notifications.preview("order_confirmed", order.id, "he_IL")
    assert f"{FSI}{format_money(order.total.gross, 'he_IL')}{PDI}" in hebrew.text
    assert f"<bdi>{format_money(order.total.gross, 'he_IL')}</bdi>" in hebrew.html
    late = world.notifications.preview("delay_detected", order.id, "ar")
    promised = world.clock.now().date()
    day = promised.fromordinal(promised.toordinal() + 2)  # the preview's sample promise
    assert babel.dates.format_date(day, "medium", locale="ar") in late.text


def test_a_regional_locale_falls_back_to_its_language_then_to_the_default(
    world: OMS,
) -> None:
    assert world.notifications.preview("shipped", locale="he_IL").locale == "he"
    assert world.notifications.preview("shipped", locale="de_CH").locale == "de"
    missing = world.notifications.preview("shipped", locale="pt_BR")
    assert (missing.locale, missing.note) == ("en", "no template in 'pt_BR'; used 'en'")
    unknown = world.notifications.preview("shipped", locale="xx")
    assert (unknown.locale, unknown.note) == ("en", "unknown locale 'xx'; used 'en'")


def test_a_host_overrides_a_template_by_name_and_locale(world: OMS, capture: Capture) -> None:
    world.notifications.override_template(
        "order_confirmed", "de_AT", subject="Danke für {{ order_number }}!",
        text="Servus {{ customer_name }}, {{ total|money }}.", actor="shop-admin",
    )  # fmt: skip
    order = capture({"TEE-M": 1})
    at = world.notifications.preview("order_confirmed", order.id, "de_AT")
    assert at.subject == f"Danke für {order.external_id}!"
    assert format_money(order.total.gross, "de_AT") in at.text
    assert world.notifications.preview("order_confirmed", order.id, "de").subject.startswith(
        "Bestellung"
    )
    sources = {t.locale: t.source for t in world.notifications.templates("order_confirmed")}
    assert sources["de_AT"] == "host"
    assert sources["de"] == "builtin"


def test_a_template_that_does_not_compile_is_refused_when_it_is_added(world: OMS) -> None:
    with pytest.raises(TemplateRenderError, match=r"order_confirmed\.text: .*not valid jinja2"):
        world.notifications.override_template(
            "order_confirmed", "en", subject="ok", text="{% if %}"
        )
    assert world.notifications.preview("order_confirmed", locale="en").subject.startswith("Order")


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ total.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_templates_cannot_reach_python_internals(world: OMS, source: str) -> None:
    world.notifications.override_template("shipped", "en", subject="x", text=source)
    with pytest.raises(TemplateRenderError, match=r"shipped\.text"):
        world.notifications.preview("shipped", locale="en")


def test_a_misspelt_variable_is_an_error_not_an_empty_string(world: OMS) -> None:
    world.notifications.override_template("shipped", "en", subject="{{ carier }}", text="x")
    with pytest.raises(TemplateRenderError, match="'carier' is undefined"):
        world.notifications.preview("shipped", locale="en")


def test_a_template_that_fails_at_send_time_is_kept_as_a_dead_letter(
    world: OMS, capture: Capture
) -> None:
    world.notifications.override_template("order_confirmed", "en", subject="{{ nope }}", text="")
    order = capture({"TEE-M": 1})
    (message,) = world.notifications.messages(order_id=order.id)
    assert message.status == "dead"
    assert "'nope' is undefined" in message.last_error


def test_an_unknown_trigger_is_named_with_the_known_ones(world: OMS) -> None:
    with pytest.raises(UnknownTrigger, match=r"'shiped'.*known: .*'shipped'"):
        world.notifications.preview("shiped")
    with pytest.raises(UnknownTrigger):
        world.notifications.configure_trigger("shiped", enabled=False)


def test_a_preview_stores_and_sends_nothing_and_an_unknown_order_is_named(
    world: OMS, capture: Capture
) -> None:
    order = capture({"TEE-M": 1})
    stored, sent = len(world.notifications.messages()), len(recorder(world).sent)
    shown = world.notifications.preview("shipped", order.id, "ja", channel="sms")
    assert order.external_id in shown.subject
    assert (len(world.notifications.messages()), len(recorder(world).sent)) == (stored, sent)
    with pytest.raises(NotFound, match="ord_nope"):
        world.notifications.preview("shipped", "ord_nope", "en")
