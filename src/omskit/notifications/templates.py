"""Templates: subject, text and HTML per locale, rendered in a jinja2 sandbox.

* Templates are keyed ``(name, locale, channel)``; an empty channel serves every channel.
  [`TemplateLibrary.resolve`][] walks the locale chain ``he_IL -> he -> the default
  locale -> its language`` and says in its note when it had to fall back.
* Rendering happens in jinja2's `SandboxedEnvironment` (a template cannot reach Python
  internals: ``{{ ''.__class__ }}`` is an error) with ``StrictUndefined`` (a misspelt
  variable is an error, not an empty string). HTML is rendered with autoescaping, so an
  address line ``<script>`` arrives as text.
* Filters format through babel in the recipient's locale (``money`` reuses
  [`format_money`][omskit.money.format_money]); in right-to-left locales ``ref``,
  ``money`` and ``link`` isolate their value (``<bdi>`` in HTML, U+2068/U+2069 in text)
  so an order number or an amount keeps its own direction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import babel
import babel.dates
import babel.numbers
import jinja2
import markupsafe  # jinja2's own dependency: the HTML-safe string type
from jinja2.sandbox import SandboxedEnvironment

from omskit.errors import ValidationError
from omskit.money import Money, TaxedMoney, coerce_locale, format_money
from omskit.notifications.builtin import BUILTIN_TEXTS
from omskit.notifications.errors import TemplateRenderError, UnknownTemplate

__all__ = [
    "HTML_LAYOUT",
    "RTL_LANGUAGES",
    "Rendered",
    "Renderer",
    "Template",
    "TemplateLibrary",
    "html_from_text",
    "is_rtl",
    "locale_chain",
]

#: Languages written right to left.
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug"})

#: The document every HTML body is placed in (``lang``, ``dir``, ``subject``, ``body``).
HTML_LAYOUT = (
    '<!DOCTYPE html>\n<html lang="{{ lang }}" dir="{{ dir }}">\n'
    '<head><meta charset="utf-8"><title>{{ subject }}</title></head>\n'
    '<body dir="{{ dir }}">\n{{ body }}\n</body>\n</html>\n'
)

_FSI, _PDI = "\u2068", "\u2069"  # first strong isolate ... pop directional isolate


def is_rtl(locale: str) -> bool:
    """Whether ``locale``'s language is written right to left."""
    return locale.replace("-", "_").split("_", 1)[0].lower() in RTL_LANGUAGES


def html_from_text(source: str) -> str:
    """HTML body source from plain-text template source: paragraphs and line breaks."""
    paragraphs = [p for p in source.split("\n\n") if p.strip()]
    return "\n".join("<p>" + p.replace("\n", "<br>\n") + "</p>" for p in paragraphs)


def locale_chain(locale: str, default: str) -> list[str]:
    """The locales to try for ``locale``, most specific first: ``he_IL, he, en``."""
    chain: list[str] = []
    for raw in (locale, default):
        name = raw.replace("-", "_")
        for candidate in (name, name.split("_", 1)[0]):
            if candidate and candidate not in chain:
                chain.append(candidate)
    return chain


@attrs.frozen(kw_only=True)
class Template:
    """One message in one locale: jinja2 source for subject, text and HTML body.

    ``html`` empty means "made from ``text``" ([`html_from_text`][]); ``channel`` empty
    means the template serves every channel.
    """

    name: str
    locale: str
    subject: str
    text: str
    html: str = ""
    channel: str = ""
    source: str = "builtin"

    @property
    def html_source(self) -> str:
        """The HTML body's jinja2 source."""
        return self.html or html_from_text(self.text)


@attrs.frozen(kw_only=True)
class Rendered:
    """A rendered message.

    ``locale`` is the template's locale; ``note`` says why it differs from the one asked
    for (empty when it does not).
    """

    template: str
    locale: str
    direction: str
    subject: str
    text: str
    html: str
    note: str = ""


class TemplateLibrary:
    """The templates in force: the built-ins, then whatever the host added over them."""

    def __init__(self, default_locale: str = "en") -> None:
        self.default_locale = default_locale
        self._items: dict[tuple[str, str, str], Template] = {}
        for name, texts in BUILTIN_TEXTS.items():
            for locale, (subject, body) in texts.items():
                self._items[(name, locale, "")] = Template(
                    name=name, locale=locale, subject=subject, text=body
                )

    def add(self, template: Template) -> None:
        """Add or override ``template`` (same name, locale and channel replaces)."""
        self._items[(template.name, template.locale, template.channel)] = template

    def names(self) -> list[str]:
        """Every template name, sorted."""
        return sorted({k[0] for k in self._items})

    def list(self, name: str | None = None) -> list[Template]:
        """Every template (of ``name``), sorted by name, locale and channel."""
        return [t for k, t in sorted(self._items.items()) if name is None or k[0] == name]

    def resolve(self, name: str, locale: str, channel: str = "") -> tuple[Template, str]:
        """The template for ``name`` in ``locale`` on ``channel``, and a note on fallback.

        Tries every locale of [`locale_chain`][] (with the channel's own template before
        the all-channel one at each step).

        Raises:
            UnknownTemplate: ``name`` has no template in any locale of the chain.
        """
        wanted = _known_locale(locale)
        chain = locale_chain(wanted or self.default_locale, self.default_locale)
        for candidate in chain:
            for chan in (channel, ""):
                found = self._items.get((name, candidate, chan))
                if found is not None:
                    return found, _note(locale, wanted, candidate)
        raise UnknownTemplate(name, self.names())


def _known_locale(locale: str) -> str:
    """``locale`` normalised if babel knows it, else empty."""
    try:
        return str(coerce_locale(locale))
    except ValidationError:
        return ""


def _note(asked: str, known: str, used: str) -> str:
    if not known:
        return f"unknown locale {asked!r}; used {used!r}"
    if known != used and known.split("_", 1)[0] != used:
        return f"no template in {known!r}; used {used!r}"
    return ""


@attrs.frozen
class _Formatting:
    locale: babel.Locale
    tz: dt.tzinfo
    rtl: bool


def _fmt(ctx: Any) -> _Formatting:
    value = ctx.get("_formatting")
    if not isinstance(value, _Formatting):  # pragma: no cover - set by Renderer.render
        raise TemplateRenderError("_formatting", value, "rendered outside Renderer.render")
    return value


def _isolate(ctx: Any, text: str) -> Any:
    html = bool(ctx.eval_ctx.autoescape)
    if not _fmt(ctx).rtl:
        return text
    if html:
        return markupsafe.Markup("<bdi>{}</bdi>").format(text)
    return f"{_FSI}{text}{_PDI}"


@jinja2.pass_context
def _ref(ctx: Any, value: object) -> Any:
    return _isolate(ctx, str(value))


@jinja2.pass_context
def _money(ctx: Any, value: object) -> Any:
    if isinstance(value, TaxedMoney):
        value = value.gross
    if not isinstance(value, Money):
        raise TemplateRenderError("money", value, "the money filter takes a Money")
    return _isolate(ctx, format_money(value, _fmt(ctx).locale))


@jinja2.pass_context
def _number(ctx: Any, value: object) -> str:
    if not isinstance(value, int | Decimal) or isinstance(value, bool):
        raise TemplateRenderError("number", value, "the number filter takes an int or Decimal")
    return str(babel.numbers.format_decimal(value, locale=_fmt(ctx).locale))


@jinja2.pass_context
def _date(ctx: Any, value: object, format: str = "medium") -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(_fmt(ctx).tz).date()
    if not isinstance(value, dt.date):
        raise TemplateRenderError("date", value, "the date filter takes a date")
    return str(babel.dates.format_date(value, format, locale=_fmt(ctx).locale))


@jinja2.pass_context
def _datetime(ctx: Any, value: object, format: str = "medium") -> str:
    if not isinstance(value, dt.datetime):
        raise TemplateRenderError("datetime", value, "the datetime filter takes a datetime")
    f = _fmt(ctx)
    return str(babel.dates.format_datetime(value, format, tzinfo=f.tz, locale=f.locale))


_SAFE_URL = re.compile(r"https?://[^\s\"'<>]+")


@jinja2.pass_context
def _link(ctx: Any, value: object) -> Any:
    url = str(value)
    if ctx.eval_ctx.autoescape and _SAFE_URL.fullmatch(url):
        return markupsafe.Markup('<a href="{0}" dir="ltr">{0}</a>').format(url)
    return _isolate(ctx, url)


def _environment(html: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=html, undefined=jinja2.StrictUndefined)
    env.filters.update(
        ref=_ref, money=_money, number=_number, date=_date, datetime=_datetime, link=_link
    )
    return env


class Renderer:
    """Renders [`Template`][]s in a sandbox, HTML autoescaped, formatted per locale."""

    def __init__(self) -> None:
        self._text = _environment(html=False)
        self._html = _environment(html=True)
        self._compiled: dict[tuple[bool, str], jinja2.Template] = {}

    def check(self, template: Template) -> None:
        """Compile every part of ``template``; raises [`TemplateRenderError`][] if one fails."""
        for part, source, html in self._parts(template):
            self._compile(template.name, part, source, html)

    def render(
        self,
        template: Template,
        context: Mapping[str, Any],
        *,
        locale: str,
        time_zone: str = "UTC",
        note: str = "",
    ) -> Rendered:
        """Render ``template`` with ``context`` for a reader of ``locale`` in ``time_zone``.

        Numbers, money and dates use ``locale`` (the recipient's); direction comes from
        the template's own locale (the language the text is written in).

        Raises:
            TemplateRenderError: naming the template and part, for anything jinja2
                refuses (syntax, an undefined variable, an unsafe attribute).
        """
        fmt_locale = coerce_locale(_known_locale(locale) or template.locale)
        rtl = is_rtl(template.locale)
        tz = ZoneInfo(time_zone)
        values = {**context, "_formatting": _Formatting(fmt_locale, tz, rtl)}
        out: dict[str, str] = {}
        for part, source, html in self._parts(template):
            compiled = self._compile(template.name, part, source, html)
            try:
                out[part] = compiled.render(values)
            except TemplateRenderError as exc:
                raise TemplateRenderError(
                    f"{template.name}.{part}", exc.value, exc.allowed
                ) from exc
            except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
                raise TemplateRenderError(
                    f"{template.name}.{part}", type(exc).__name__, f"the template failed: {exc}"
                ) from exc
        direction = "rtl" if rtl else "ltr"
        layout = self._compile("layout", "html", HTML_LAYOUT, True)
        document = layout.render(
            lang=template.locale.replace("_", "-"),
            dir=direction,
            subject=out["subject"],
            body=markupsafe.Markup(out["html"]),  # noqa: S704 - rendered with autoescape
        )
        return Rendered(template=template.name, locale=template.locale, direction=direction,
                        subject=" ".join(out["subject"].split()), text=out["text"],
                        html=document, note=note)  # fmt: skip

    @staticmethod
    def _parts(template: Template) -> Iterable[tuple[str, str, bool]]:
        yield "subject", template.subject, False
        yield "text", template.text, False
        yield "html", template.html_source, True

    def _compile(self, name: str, part: str, source: str, html: bool) -> jinja2.Template:
        key = (html, source)
        found = self._compiled.get(key)
        if found is None:
            env = self._html if html else self._text
            try:
                found = env.from_string(source)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateRenderError(
                    f"{name}.{part}", source[:80], f"not valid jinja2: {exc.message}"
                ) from exc
            if len(self._compiled) > 2048:
                self._compiled.clear()
            self._compiled[key] = found
        return found
