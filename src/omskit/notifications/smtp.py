"""An email provider on the standard library's ``smtplib``.

[`SmtpProvider`][] sends each message as one multipart email (plain text, plus HTML
when the message has it) built with ``email.message.EmailMessage``. It is configured
by one line, the ``notifications.smtp`` setting, read by [`SmtpSettings.from_url`][]::

    smtp://user:password@mail.example.com:587?from=shop@example.com

* ``smtp://`` upgrades the connection with STARTTLS (port 587 by default) and refuses
  to send if the server does not offer it; ``smtps://`` speaks TLS from the first byte
  (port 465); ``?security=none`` sends in the clear, for a relay on the same host.
* Query parameters: ``from`` (the sender, required), ``timeout`` (seconds, 10),
  ``helo`` (the name given in EHLO), ``message_id_domain`` (default: the sender's
  domain), ``cafile`` (a CA bundle to verify the server against).

The ``Message-ID`` is derived from the notification's idempotency key, so every attempt
at one message carries the same id and a receiver (or a person reading two copies)
recognises a retried send. Marketing messages carry ``List-Unsubscribe``. An address
with an internationalised domain is sent with its IDNA form; one with a non-ASCII local
part needs a server that offers SMTPUTF8 and is refused for good by one that does not.

How SMTP replies map to delivery: a 5xx reply (to the sender, the recipient or the
data) is permanent, raised as [`DeliveryRejected`][] with the server's reply, so the
message is a dead letter at once; a 4xx reply, a refused or dropped connection and a
timeout are temporary, raised as ``ConnectionError``, so the message is retried with
back-off.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
import smtplib
import ssl
import urllib.parse
from collections.abc import Callable
from email.message import EmailMessage

import attrs

from omskit.errors import ValidationError
from omskit.notifications.channels import OutboundMessage
from omskit.notifications.errors import DeliveryRejected
from omskit.validation import check_email

__all__ = ["SECURITY", "SmtpProvider", "SmtpSettings", "message_id_for", "wire_address"]

#: How the connection is secured: STARTTLS, TLS from the start, or not at all.
SECURITY: tuple[str, ...] = ("starttls", "ssl", "none")

_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_QUERY = ("from", "timeout", "security", "helo", "message_id_domain", "cafile")
_FIELD = "notifications.smtp"


def _masked(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for error messages)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


@attrs.frozen(kw_only=True)
class SmtpSettings:
    """Where and how [`SmtpProvider`][] connects.

    Attributes:
        host: the SMTP server's name or address.
        port: its port (587 for STARTTLS, 465 for TLS, 25 in the clear by default).
        security: one of ``SECURITY``.
        sender: the ``From`` address (and the envelope sender).
        username: for SMTP AUTH (empty: no login).
        password: for SMTP AUTH; never shown in ``repr``.
        timeout: seconds for connecting and for each reply.
        helo: the host name given in EHLO (empty: this machine's name).
        message_id_domain: the right-hand side of ``Message-ID`` (default: the
            sender's domain).
        cafile: a CA bundle the server's certificate is verified against (empty: the
            system's).
    """

    host: str
    port: int
    security: str
    sender: str
    username: str = ""
    password: str = attrs.field(default="", repr=False)
    timeout: float = 10.0
    helo: str = ""
    message_id_domain: str = ""
    cafile: str = ""

    @classmethod
    def from_url(cls, url: object) -> SmtpSettings:
        """Parse the one-line setting (see the module's docs).

        Raises:
            ValidationError: naming ``notifications.smtp`` and what is wrong (the
                password is masked in the message).
        """
        if not isinstance(url, str) or not url:
            example = "'smtp://mail.example.com:587?from=shop@example.com'"
            raise ValidationError(_FIELD, url, f"expected a URL such as {example}")
        shown = _masked(url)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValidationError(_FIELD, shown, "expected the scheme smtp:// or smtps://")
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        unknown = sorted(set(query) - set(_QUERY))
        if unknown:
            raise ValidationError(
                _FIELD, shown, f"unknown parameter {unknown[0]!r}; known: {', '.join(_QUERY)}"
            )
        one = {k: v[-1] for k, v in query.items()}
        security = one.get("security", "ssl" if parts.scheme == "smtps" else "starttls")
        if security not in SECURITY:
            raise ValidationError(_FIELD, shown, f"security must be one of {', '.join(SECURITY)}")
        if parts.scheme == "smtps" and security != "ssl":
            raise ValidationError(_FIELD, shown, "smtps:// always uses TLS; drop 'security'")
        if not parts.hostname:
            raise ValidationError(_FIELD, shown, "expected a host name after //")
        try:
            port = parts.port or _PORTS[security]
        except ValueError:
            raise ValidationError(_FIELD, shown, "expected a port from 1 to 65535") from None
        if "from" not in one:
            raise ValidationError(_FIELD, shown, "expected ?from=<sender address>")
        sender = check_email(one["from"], f"{_FIELD}.from")
        try:
            timeout = float(one.get("timeout", "10"))
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 300:
            raise ValidationError(_FIELD, shown, "timeout must be seconds above 0, at most 300")
        return cls(
            host=parts.hostname, port=port, security=security, sender=sender,
            username=urllib.parse.unquote(parts.username or ""),
            password=urllib.parse.unquote(parts.password or ""), timeout=timeout,
            helo=one.get("helo", ""), message_id_domain=one.get("message_id_domain", ""),
            cafile=one.get("cafile", ""),
        )  # fmt: skip


def message_id_for(key: str, domain: str) -> str:
    """The ``Message-ID`` of the message with idempotency key ``key``: the same every time."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def wire_address(address: str) -> str:
    """``address`` with an internationalised domain in its ASCII (IDNA) form.

    ``dana@exämple.de`` becomes ``dana@xn--exmple-cua.de``, which every server takes; a
    non-ASCII local part (``dörte@...``) stays as it is and needs a server that offers
    SMTPUTF8.
    """
    local, _, domain = address.rpartition("@")
    if not local or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"smtp {code} {' '.join(said.split())}"[:300]


def _failure(code: int, text: bytes | str) -> Exception:
    """5xx: refused for good; anything else (4xx): try again later."""
    if 500 <= code < 600:
        return DeliveryRejected(_reply(code, text))
    return ConnectionError(_reply(code, text))


class SmtpProvider:
    """Sends email over SMTP with ``smtplib`` (one connection per message).

    Args:
        settings: where and how to connect, usually
            [`SmtpSettings.from_url`][omskit.notifications.smtp.SmtpSettings.from_url].
        name: the registry name (``"smtp"``).
        ssl_context: how the server's certificate is checked (default: the system's
            trust store, or ``settings.cafile``, with host name checks).
        clock: where the ``Date`` header comes from (default: the system clock).
    """

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        name: str = "smtp",
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self._context = ssl_context
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def from_url(cls, url: str, **options: object) -> SmtpProvider:
        """A provider configured by the one-line setting ``url``."""
        return cls(SmtpSettings.from_url(url), **options)  # type: ignore[arg-type]

    def _ssl(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = ssl.create_default_context(cafile=self.settings.cafile or None)
        return self._context

    def build(self, message: OutboundMessage) -> EmailMessage:
        """The email for ``message``: headers, a text part and, when given, an HTML part."""
        s = self.settings
        domain = s.message_id_domain or s.sender.rsplit("@", 1)[1]
        mail = EmailMessage(policy=email.policy.SMTP)
        mail["From"] = wire_address(s.sender)
        mail["To"] = wire_address(message.recipient)
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.format_datetime(self._now())
        mail["Message-ID"] = message_id_for(message.key, domain)
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
        if message.unsubscribe_url:
            mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail.set_content(message.text or message.subject, charset="utf-8")
        if message.html:
            mail.add_alternative(message.html, subtype="html", charset="utf-8")
        if message.locale:  # after the content: setting content drops Content-* headers
            mail["Content-Language"] = message.locale.replace("_", "-")
        return mail

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        helo = s.helo or None
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, local_hostname=helo, timeout=s.timeout,
                                    context=self._ssl())  # fmt: skip
        client = smtplib.SMTP(s.host, s.port, local_hostname=helo, timeout=s.timeout)
        if s.security == "starttls":
            try:
                client.starttls(context=self._ssl())
            except smtplib.SMTPNotSupportedError:
                client.close()
                raise ConnectionError(
                    f"smtp {s.host}:{s.port} does not offer STARTTLS; refusing to send "
                    f"in the clear (use security=none only for a local relay)"
                ) from None
            except BaseException:
                client.close()
                raise
        return client

    def send(self, message: OutboundMessage) -> str:
        """Send ``message``; returns its ``Message-ID``.

        Raises:
            DeliveryRejected: the server answered 5xx (its reply is the message).
            ConnectionError: a 4xx reply, or the server could not be reached in time.
        """
        mail = self.build(message)
        s = self.settings
        try:
            with self._connect() as client:
                if s.username:
                    client.login(s.username, s.password)
                client.send_message(mail, from_addr=wire_address(s.sender),
                                    to_addrs=[wire_address(message.recipient)])  # fmt: skip
        except smtplib.SMTPNotSupportedError as exc:  # this server will never take it
            raise DeliveryRejected(f"smtp {s.host}:{s.port}: {exc}") from None
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _failure(code, text) from None
        except smtplib.SMTPResponseException as exc:  # sender, data, auth, helo, connect
            raise _failure(exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPException as exc:  # disconnected, not supported...
            raise ConnectionError(f"smtp {s.host}:{s.port}: {exc}") from None
        except OSError as exc:  # refused, unreachable, timed out, TLS failures
            if isinstance(exc, ConnectionError) and str(exc).startswith("smtp "):
                raise
            raise ConnectionError(f"smtp {s.host}:{s.port}: {exc}") from None
        return str(mail["Message-ID"])
