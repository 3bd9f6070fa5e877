"""Warning e-mails composed in French and sent through a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from config import Secret
from sync.mailer import (
    MailConfigError,
    Mailer,
    MailUnavailable,
    SmtpTarget,
    compose_warning,
    message_id,
)
from sync.warnings import ClientWarning, WarningKind
from tests.smtp import SmtpServer, client_tls_context, free_port

FROM = "Agence Exemple <assistance@agence.example>"
OVERRUN = ClientWarning(
    key="overrun:12",
    kind=WarningKind.OVERRUN,
    client_id=5,
    message="Votre demande « Ajouter une page Tarifs » est estimée à 1 h 30 min.",
    remaining_minutes=75,
    ticket_id="12",
    ticket_title="Ajouter une page Tarifs",
    estimate_minutes=90,
    hourly_rate=Decimal("60.00"),
    product_url="https://agence.example/?add-to-cart=42",
)
EXPIRY = ClientWarning(
    key="expiry30:L1",
    kind=WarningKind.EXPIRY_30,
    client_id=5,
    message="Votre Pack Assistance 3h arrive à échéance le 26 février 2027.",
    remaining_minutes=75,
    lot_id="L1",
    expires_at=datetime(2027, 2, 26, 9, tzinfo=UTC),
)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def test_the_overrun_mail_is_french_with_both_choices_and_an_admin_bcc(smtp: SmtpServer) -> None:
    message = compose_warning(
        OVERRUN,
        to="claire@example.fr",
        name="Claire Martin",
        mail_from=FROM,
        admin_email="admin@agence.example",
        account_url="https://agence.example/mon-compte/assistance/",
    )
    with Mailer(SmtpTarget.parse(Secret(smtp.url))) as mailer:
        mailer.send(message)
    [mail] = smtp.messages
    assert mail.rcpt_tos == ("claire@example.fr", "admin@agence.example")
    assert mail.mail_from == "assistance@agence.example"
    assert "Bcc" not in mail.message  # the client does not see the agency's copy
    assert (
        mail.message["Subject"] == "Votre demande dépasse votre crédit d'assistance : votre choix"
    )
    assert mail.message["To"] == "Claire Martin <claire@example.fr>"
    assert mail.message["Message-ID"] == message_id(5, "overrun:12", FROM)
    text = mail.text()
    assert text.startswith("Bonjour Claire Martin,")
    assert "estimée à 1 h 30 min" in text
    assert "1. Acheter un nouveau pack" in text
    assert "https://agence.example/?add-to-cart=42" in text
    assert "2. Accepter la facturation" in text and "60,00\u00a0€ HT de l'heure" in text
    assert "https://agence.example/mon-compte/assistance/" in text
    html = mail.html()
    assert '<a href="https://agence.example/?add-to-cart=42">' in html
    assert "« Ajouter une page Tarifs »" in html


def test_other_warnings_have_their_own_subject_and_no_choice(smtp: SmtpServer) -> None:
    message = compose_warning(EXPIRY, to="claire@example.fr", name=None, mail_from=FROM)
    with Mailer(SmtpTarget.parse(Secret(smtp.url))) as mailer:
        mailer.send(message)
    [mail] = smtp.messages
    assert mail.rcpt_tos == ("claire@example.fr",)
    assert mail.message["Subject"] == "Votre crédit d'assistance arrive à échéance"
    assert mail.text().startswith("Bonjour,\n")
    assert "26 février 2027" in mail.text()
    assert "Accepter la facturation" not in mail.text()


def test_a_mailer_reconnects_when_the_server_dropped_its_connection(smtp: SmtpServer) -> None:
    message = compose_warning(EXPIRY, to="claire@example.fr", name=None, mail_from=FROM)
    with Mailer(SmtpTarget.parse(Secret(smtp.url))) as mailer:
        mailer.send(message)
        smtp.stop()
        smtp.start()
        mailer.send(message)
    assert len(smtp.messages) == 2


def test_the_message_id_is_stable_per_client_and_key() -> None:
    assert message_id(5, "low:L1", FROM) == message_id(5, "low:L1", FROM)
    assert message_id(5, "low:L1", FROM) != message_id(6, "low:L1", FROM)
    assert message_id(5, "low:L1", FROM).endswith("@agence.example>")


def test_a_server_that_does_not_answer_is_a_typed_error_without_the_password() -> None:
    url = Secret(f"smtp://robot:s3cr3t-pw@127.0.0.1:{free_port()}")
    mailer = Mailer(SmtpTarget.parse(url), timeout=2)
    message = compose_warning(EXPIRY, to="claire@example.fr", name=None, mail_from=FROM)
    with pytest.raises(MailUnavailable) as caught:
        mailer.send(message)
    assert "s3cr3t-pw" not in str(caught.value)
    assert "s3cr3t-pw" not in repr(SmtpTarget.parse(url))


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_login_with_credentials_and_wrong_credentials() -> None:
    with SmtpServer(login=("robot", "s3cr3t")) as server:
        with Mailer(SmtpTarget.parse(Secret(server.url))) as mailer:
            mailer.send(compose_warning(EXPIRY, to="c@example.fr", name=None, mail_from=FROM))
        assert len(server.messages) == 1
        wrong = Secret(f"smtp://robot:nope-nope@{server.host}:{server.port}")
        with pytest.raises(MailConfigError) as caught, Mailer(SmtpTarget.parse(wrong)) as mailer:
            mailer.send(compose_warning(EXPIRY, to="c@example.fr", name=None, mail_from=FROM))
        assert "nope-nope" not in str(caught.value)
        assert len(server.messages) == 1


def test_starttls_before_login_when_the_server_offers_it() -> None:
    with SmtpServer(login=("robot", "s3cr3t"), starttls=True) as server:
        target = SmtpTarget.parse(Secret(server.url))
        with Mailer(target, tls_context=client_tls_context()) as mailer:
            mailer.send(compose_warning(EXPIRY, to="c@example.fr", name=None, mail_from=FROM))
        assert len(server.messages) == 1
        # A certificate the client does not trust: a configuration error, nothing sent.
        with pytest.raises(MailConfigError, match="TLS failed"), Mailer(target) as mailer:
            mailer.send(compose_warning(EXPIRY, to="c@example.fr", name=None, mail_from=FROM))
        assert len(server.messages) == 1


def test_smtp_url_forms() -> None:
    plain = SmtpTarget.parse(Secret("smtp://mail.example:2525"))
    assert (plain.host, plain.port, plain.implicit_tls, plain.username) == (
        "mail.example",
        2525,
        False,
        None,
    )
    tls = SmtpTarget.parse(Secret("smtps://user%40x.fr:p%40ss@mail.example"))
    assert (tls.port, tls.implicit_tls, tls.username, tls.password.reveal()) == (
        465,
        True,
        "user@x.fr",
        "p@ss",
    )
    assert str(tls) == "smtps://user@x.fr:***@mail.example:465"
    with pytest.raises(MailConfigError):
        SmtpTarget.parse(Secret("http://mail.example"))
