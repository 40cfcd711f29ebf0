"""The SMTP sender against a real SMTP server (aiosmtpd) on loopback, run by the test."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from omskit import OMS, ValidationError
from omskit.notifications import DeliveryRejected, OutboundMessage, SmtpProvider
from omskit.notifications.smtp import SmtpSettings, message_id_for
from omskit.testing import FakeClock

from ..fulfillment.conftest import build_world, make_capture  # noqa: TID252
from .conftest import CONFIG


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """An aiosmtpd handler: keeps accepted mail, answers DATA and RCPT as scripted."""

    def __init__(self) -> None:
        self.accepted: list[EmailMessage] = []
        self.attempts: list[str] = []  # the Message-ID of every DATA the server saw
        self.data_replies: list[str] = []  # answered in turn before "250"
        self.refuse: dict[str, str] = {}  # recipient -> RCPT reply

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:  # fmt: skip
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.attempts.append(str(parsed["Message-ID"]))
        if self.data_replies:
            return self.data_replies.pop(0)
        parsed.raw = raw  # type: ignore[attr-defined]
        self.accepted.append(parsed)
        return "250 2.0.0 Message accepted"


class Server:
    def __init__(self, inbox: Inbox, port: int, controller: Controller) -> None:
        self.inbox, self.port, self.controller = inbox, port, controller


def start(**options: Any) -> Server:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return Server(inbox, port, controller)


@pytest.fixture
def server() -> Iterator[Server]:
    running = start()
    yield running
    running.controller.stop()


def oms_with(clock: FakeClock, url: str) -> OMS:
    config = {"notifications": {**CONFIG["notifications"], "smtp": url}}
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    build_world(oms)
    return oms


def plain(port: int, more: str = "") -> str:
    return f"smtp://127.0.0.1:{port}?from=shop@example.com&security=none&timeout=5{more}"


def test_an_order_confirmation_arrives_over_smtp_with_its_headers_and_both_bodies(
    server: Server, clock: FakeClock
) -> None:
    oms = oms_with(clock, plain(server.port))
    assert oms.notifications.settings.providers["email"] == "smtp"
    order = make_capture(oms)({"TEE-M": 2})
    (record,) = oms.notifications.messages(order_id=order.id)
    assert (record.status, record.provider) == ("sent", "smtp")
    (mail,) = server.inbox.accepted
    assert mail["From"] == "shop@example.com"
    assert mail["To"] == "dana@example.com"
    assert mail["Subject"] == record.subject == f"Order {order.external_id} confirmed"
    assert mail["Message-ID"] == message_id_for(record.key, "example.com") == record.provider_ref
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Content-Language"] == "en"
    assert mail["List-Unsubscribe"] is None  # a transactional message
    assert email.utils.parsedate_to_datetime(mail["Date"]) == clock.now()
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().replace("\r\n", "\n").strip() == record.text.strip()
    assert html.get_content().replace("\r\n", "\n").strip() == record.html.strip()


def test_a_hebrew_subject_is_encoded_for_the_wire_and_reads_back_the_same(
    server: Server, clock: FakeClock
) -> None:
    oms = oms_with(clock, plain(server.port))
    oms.notifications.set_preferences("dana@example.com", locale="he_IL")
    order = make_capture(oms)({"TEE-M": 1})
    (record,) = oms.notifications.messages(order_id=order.id)
    assert record.locale == "he"
    assert any("\u0590" <= ch <= "\u05ff" for ch in record.subject)  # Hebrew letters
    (mail,) = server.inbox.accepted
    raw: bytes = mail.raw  # type: ignore[attr-defined]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()  # RFC 5322 headers: non-ASCII only as encoded words
    subject_lines = head.split(b"Subject:", 1)[1].split(b"\r\n")
    assert subject_lines[0].strip().lower().startswith(b"=?utf-8?")
    assert mail["Subject"] == record.subject  # bidi isolates and all
    assert mail["Content-Language"] == "he"
    html = mail.get_body(("html",))
    assert html is not None
    assert 'dir="rtl"' in html.get_content()


def test_a_451_then_250_delivers_exactly_once_under_the_same_message_id(
    server: Server, clock: FakeClock
) -> None:
    server.inbox.data_replies = ["451 4.3.0 Mailbox busy, try again later"]
    oms = oms_with(clock, plain(server.port))
    order = make_capture(oms)({"TEE-M": 1})
    (record,) = oms.notifications.messages(order_id=order.id)
    assert record.status == "failed"
    assert record.last_error == "ConnectionError: smtp 451 4.3.0 Mailbox busy, try again later"
    assert server.inbox.accepted == []
    clock.set(record.not_before)
    assert oms.notifications.deliver().sent == 1
    assert oms.notifications.deliver().sent == 0
    after = oms.notifications.get(record.id)
    assert (after.status, after.attempts) == ("sent", 2)
    assert len(server.inbox.accepted) == 1
    first, second = server.inbox.attempts
    assert first == second == after.provider_ref  # the retry is recognisably the same mail


def test_a_550_for_the_recipient_is_a_dead_letter_with_the_servers_reply(
    server: Server, clock: FakeClock
) -> None:
    server.inbox.refuse["dana@example.com"] = "550 5.1.1 <dana@example.com>: no such user"
    oms = oms_with(clock, plain(server.port))
    order = make_capture(oms)({"TEE-M": 1})
    (record,) = oms.notifications.messages(order_id=order.id)
    assert (record.status, record.attempts) == ("dead", 1)
    assert record.last_error == "rejected: smtp 550 5.1.1 <dana@example.com>: no such user"
    assert [m.id for m in oms.notifications.dead_letters()] == [record.id]
    assert server.inbox.accepted == []
    assert oms.orders.get(order.id).status == order.status


def test_a_refused_connection_is_retried_and_never_undoes_the_order(clock: FakeClock) -> None:
    port = free_port()  # nothing listens here yet
    oms = oms_with(clock, plain(port))
    order = make_capture(oms)({"TEE-M": 1})
    (record,) = oms.notifications.messages(order_id=order.id)
    assert record.status == "failed"
    assert record.last_error.startswith(f"ConnectionError: smtp 127.0.0.1:{port}: ")
    assert oms.orders.get(order.id).status == order.status
    late = start()
    try:
        provider = oms.notifications.provider("smtp")
        assert isinstance(provider, SmtpProvider)
        # the server came up elsewhere: point the same provider at it
        provider.settings = SmtpSettings.from_url(plain(late.port))
        clock.set(record.not_before)
        assert oms.notifications.deliver().sent == 1
        assert [m["Message-ID"] for m in late.inbox.accepted] == [
            oms.notifications.get(record.id).provider_ref
        ]
    finally:
        late.controller.stop()


def credentials(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                auth_data: object) -> AuthResult:  # fmt: skip
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"shop",
        b"s3cret/pw",
    )
    return AuthResult(success=ok, handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_smtp_auth_logs_in_and_a_wrong_password_is_refused_for_good(clock: FakeClock) -> None:
    running = start(authenticator=credentials, auth_require_tls=False, auth_required=True)
    try:
        url = f"smtp://shop:s3cret%2Fpw@127.0.0.1:{running.port}?from=shop@example.com"
        oms = oms_with(clock, url + "&security=none")
        make_capture(oms)({"TEE-M": 1})
        assert len(running.inbox.accepted) == 1
        wrong = oms_with(clock, url.replace("s3cret", "guess") + "&security=none")
        order = make_capture(wrong)({"TEE-M": 1})
        (record,) = wrong.notifications.messages(order_id=order.id)
        assert record.status == "dead"
        assert record.last_error.startswith("rejected: smtp 535")
        assert len(running.inbox.accepted) == 1
    finally:
        running.controller.stop()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_starttls_upgrades_the_connection_verifying_the_servers_certificate(
    clock: FakeClock, certificate: tuple[Path, Path]
) -> None:
    running = start(tls_context=server_context(certificate), require_starttls=True)
    try:
        url = (f"smtp://127.0.0.1:{running.port}?from=shop@example.com&timeout=5"
               f"&cafile={certificate[0]}")  # fmt: skip
        oms = oms_with(clock, url)
        assert oms.notifications.settings.smtp is not None
        assert oms.notifications.settings.smtp.security == "starttls"
        make_capture(oms)({"TEE-M": 1})
        assert len(running.inbox.accepted) == 1
        untrusted = oms_with(clock, url.split("&cafile=", maxsplit=1)[0])  # the system's CAs only
        order = make_capture(untrusted)({"TEE-M": 1})
        (record,) = untrusted.notifications.messages(order_id=order.id)
        assert record.status == "failed"
        assert "CERTIFICATE_VERIFY_FAILED" in record.last_error
        assert len(running.inbox.accepted) == 1
    finally:
        running.controller.stop()


def test_smtps_speaks_tls_from_the_first_byte(
    clock: FakeClock, certificate: tuple[Path, Path]
) -> None:
    running = start(ssl_context=server_context(certificate))
    try:
        url = f"smtps://127.0.0.1:{running.port}?from=shop@example.com&cafile={certificate[0]}"
        make_capture(oms_with(clock, url))({"TEE-M": 1})
        assert len(running.inbox.accepted) == 1
    finally:
        running.controller.stop()


def test_a_server_without_starttls_is_not_sent_to_in_the_clear(
    server: Server, clock: FakeClock
) -> None:
    oms = oms_with(clock, f"smtp://127.0.0.1:{server.port}?from=shop@example.com&timeout=5")
    order = make_capture(oms)({"TEE-M": 1})
    (record,) = oms.notifications.messages(order_id=order.id)
    assert record.status == "failed"
    assert "does not offer STARTTLS" in record.last_error
    assert server.inbox.attempts == []


def test_a_marketing_message_carries_list_unsubscribe() -> None:
    provider = SmtpProvider.from_url("smtp://mail.example.com?from=news@shop.example")
    message = OutboundMessage(
        id="ntf-1", key="back_in_stock|sub-1|email|dana@example.com", channel="email",
        recipient="dana@example.com", subject="TEE-M is back", text="It is back.",
        html="", locale="de_DE", trigger="back_in_stock",
        unsubscribe_url="https://shop.example/unsubscribe?token=abc",
    )  # fmt: skip
    mail = provider.build(message)
    assert mail["List-Unsubscribe"] == "<https://shop.example/unsubscribe?token=abc>"
    assert mail["Content-Language"] == "de-DE"
    assert mail["Message-ID"] == message_id_for(message.key, "shop.example")
    assert mail.get_content_type() == "text/plain"  # no HTML body: one part
    assert provider.build(message)["Message-ID"] == mail["Message-ID"]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "expected a URL such as"),
        ("http://mail.example.com?from=a@example.com", "expected the scheme smtp://"),
        ("smtp://mail.example.com", "expected ?from=<sender address>"),
        ("smtp://mail.example.com?from=a@example.com&security=maybe", "security must be"),
        ("smtp://mail.example.com:70000?from=a@example.com", "expected a port from 1"),
        ("smtp://mail.example.com?from=a@example.com&timeout=0", "timeout must be"),
        ("smtp://mail.example.com?from=a@example.com&tls=1", "unknown parameter 'tls'"),
        ("smtps://mail.example.com?from=a@example.com&security=none", "always uses TLS"),
    ],
)
def test_a_bad_smtp_setting_is_refused_at_start_naming_it(
    clock: FakeClock, url: str, says: str
) -> None:
    with pytest.raises(ValidationError, match=r"notifications\.smtp") as caught:
        OMS.in_memory({"notifications": {"smtp": url or 5}}, clock=clock, autoload=False)
    assert says in str(caught.value)


def test_the_password_never_appears_in_an_error_or_a_repr() -> None:
    with pytest.raises(ValidationError) as caught:
        SmtpSettings.from_url("smtp://shop:hunter2@mail.example.com?from=a@example.com&x=1")
    assert "hunter2" not in str(caught.value)
    assert "shop:***@mail.example.com" in str(caught.value)
    settings = SmtpSettings.from_url("smtp://shop:hunter2@mail.example.com?from=a@example.com")
    assert settings.password == "hunter2"
    assert "hunter2" not in repr(settings)


def test_an_explicit_email_provider_wins_over_the_smtp_default(clock: FakeClock) -> None:
    oms = OMS.in_memory(
        {"notifications": {"smtp": "smtp://mail.example.com?from=a@example.com",
                           "providers": {"email": "console"}}},
        clock=clock, autoload=False,
    )  # fmt: skip
    assert oms.notifications.settings.providers["email"] == "console"
    assert "smtp" in oms.notifications.providers


def test_a_back_in_stock_mail_arrives_with_list_unsubscribe(
    server: Server, clock: FakeClock
) -> None:
    oms = oms_with(clock, plain(server.port))
    for location in ("BER", "MUC"):
        left = oms.inventory.level("MUG-01", location).available
        oms.inventory.adjust("MUG-01", location=location, delta=-left, reason="damaged")
    oms.notifications.subscribe_back_in_stock("MUG-01", email="dana@example.com")
    oms.inventory.receive("MUG-01", location="BER", quantity=2)
    (record,) = oms.notifications.messages(trigger="back_in_stock")
    (mail,) = server.inbox.accepted
    assert record.unsubscribe_url.startswith("https://shop.example/unsubscribe?token=")
    assert mail["List-Unsubscribe"] == f"<{record.unsubscribe_url}>"
    assert mail["Subject"] == "Enamel mug is back in stock"


def test_an_internationalised_address_goes_out_as_far_as_the_server_allows() -> None:
    plain_server = start(enable_SMTPUTF8=False)
    utf8_server = start(enable_SMTPUTF8=True)
    try:
        old = SmtpProvider.from_url(plain(plain_server.port))
        new = SmtpProvider.from_url(plain(utf8_server.port))

        def to(address: str) -> OutboundMessage:
            return OutboundMessage(
                id="n", key=f"k-{address}", channel="email", recipient=address,
                subject="Grüße", text="Hallo", html="", locale="de", trigger="shipped",
            )  # fmt: skip

        old.send(to("dana@exämple.de"))  # the domain in IDNA: no SMTPUTF8 needed
        (mail,) = plain_server.inbox.accepted
        assert mail["To"] == "dana@xn--exmple-cua.de"
        with pytest.raises(DeliveryRejected, match="SMTPUTF8"):
            old.send(to("dörte@example.de"))  # refused for good: retrying cannot help
        new.send(to("dörte@example.de"))
        assert [m["To"] for m in utf8_server.inbox.accepted] == ["dörte@example.de"]
    finally:
        plain_server.controller.stop()
        utf8_server.controller.stop()


def test_a_server_that_never_answers_times_out_and_the_message_is_retried(
    clock: FakeClock,
) -> None:
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        oms = oms_with(clock, plain(port).replace("timeout=5", "timeout=0.3"))
        order = make_capture(oms)({"TEE-M": 1})
    (record,) = oms.notifications.messages(order_id=order.id)
    assert record.status == "failed"
    assert "timed out" in record.last_error
    assert oms.orders.get(order.id).status == order.status
