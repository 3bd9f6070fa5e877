"""French e-mails for client warnings, sent through ``SMTP_URL``.

Composition (``compose_warning``) is pure: a ``ClientWarning`` becomes an ``EmailMessage`` with a
plain-text body and an HTML alternative, rendered from ``sync/templates/warning.txt|.html``. The
agency's copy goes to ``ADMIN_EMAIL`` as a **Bcc of the same message** (one SMTP transaction: the
client and the agency get it together or not at all). The ``Message-ID`` is derived from
(client, warning key), so should a crash ever make the sweep send a warning twice, both copies
carry the same id and mail clients show one.

Sending (``Mailer``) speaks SMTP: ``smtp://[user:pass@]host[:25]`` upgrades with STARTTLS when
the server offers it, and refuses to send a password in clear text to a remote host;
``smtps://`` is TLS from the start (port 465). Failures are typed: ``MailUnavailable`` (the
server cannot be reached or says "try later": retry next sweep), ``MailRejected`` (this message
was refused), ``MailConfigError`` (credentials or URL are wrong). No message ever contains the
password.
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from config import Secret, Settings
from config.settings import is_loopback
from ledger.french import format_amount, format_duration, format_long_date
from sync.warnings import ClientWarning, WarningKind

TEMPLATES = Path(__file__).with_name("templates")

SUBJECTS: dict[WarningKind, str] = {
    WarningKind.OVERRUN: "Votre demande dépasse votre crédit d'assistance : votre choix",
    WarningKind.LOW_BALANCE: "Votre crédit d'assistance est bientôt épuisé",
    WarningKind.EXPIRY_30: "Votre crédit d'assistance arrive à échéance",
    WarningKind.EXPIRY_7: "Votre crédit d'assistance arrive à échéance dans quelques jours",
    WarningKind.USED_UP: "Votre pack d'assistance est entièrement utilisé",
}


class MailError(Exception):
    """A mail could not be sent. The message is one line and never contains a secret."""


class MailUnavailable(MailError):
    """The SMTP server cannot be reached or answered "try again later"; nothing was sent."""


class MailRejected(MailError):
    """The server refused this message (e.g. a recipient address); others may still go."""


class MailConfigError(MailError):
    """``SMTP_URL`` is wrong: bad credentials, or a password that would travel in clear text."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to connect, parsed from ``SMTP_URL``. The password stays a ``Secret``."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: Secret = field(default_factory=lambda: Secret(""))

    @classmethod
    def parse(cls, url: Secret) -> SmtpTarget:
        parts = urlsplit(url.reveal())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailConfigError(
                "SMTP_URL must look like smtp://host:port or smtps://user:pass@host"
            )
        try:
            port = parts.port
        except ValueError:
            raise MailConfigError("SMTP_URL has an invalid port") from None
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=port or (465 if implicit else 25),
            implicit_tls=implicit,
            username=unquote(parts.username) if parts.username else None,
            password=Secret(unquote(parts.password or "")),
        )

    def __str__(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}:***@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def message_id(client_id: int, key: str, mail_from: str) -> str:
    """The same (client, warning key) always gives the same ``Message-ID``."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "assist-sync.invalid"
    digest = hashlib.sha256(f"{client_id}\n{key}".encode()).hexdigest()[:24]
    return f"<warning.{client_id}.{digest}@{domain}>"


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.filters.update(duration=format_duration, amount=format_amount, long_date=format_long_date)


def compose_warning(
    warning: ClientWarning,
    *,
    to: str,
    name: str | None,
    mail_from: str,
    admin_email: str | None = None,
    account_url: str | None = None,
) -> EmailMessage:
    """The French e-mail for ``warning`` to ``to`` (Bcc ``admin_email``), text + HTML."""
    context = {"w": warning, "name": name, "account_url": account_url}
    message = EmailMessage()
    message["Subject"] = SUBJECTS[warning.kind]
    message["From"] = mail_from
    message["To"] = formataddr((name or "", to))
    if admin_email and admin_email.lower() != to.lower():
        message["Bcc"] = admin_email
    message["Message-ID"] = message_id(warning.client_id, warning.key, mail_from)
    message["X-Assist-Warning"] = f"{warning.client_id} {warning.key}"
    message.set_content(_env.get_template("warning.txt").render(context))
    message.add_alternative(_env.get_template("warning.html").render(context), subtype="html")
    return message


class Mailer:
    """An SMTP connection opened on first use and closed on ``close()`` (or leaving ``with``)."""

    def __init__(
        self,
        target: SmtpTarget,
        *,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """``tls_context`` (default: the system's trusted CAs) verifies the server's certificate
        for smtps:// and STARTTLS."""
        self.target = target
        self.timeout = timeout
        self.tls_context = tls_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None
        self.sent = 0
        self.refused_recipients = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        """Raises ConfigError when ``SMTP_URL``/``MAIL_FROM`` are missing."""
        settings.require_mail()
        return cls(SmtpTarget.parse(settings.smtp_url), timeout=settings.connect_timeout * 3)

    @classmethod
    def maybe_from_settings(cls, settings: Settings) -> Mailer | None:
        """A Mailer when ``SMTP_URL`` and ``MAIL_FROM`` are set; None when mail is off."""
        if not settings.smtp_url or not settings.mail_from:
            return None
        return cls.from_settings(settings)

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Send ``message`` to its To and Bcc recipients; raise a ``MailError`` if it is not."""
        smtp = self._connection()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise MailRejected(f"{self.target}: every recipient was refused") from None
        except smtplib.SMTPResponseException as exc:
            self._drop()
            detail = f"{self.target} answered {exc.smtp_code}"
            if 400 <= exc.smtp_code < 500:
                raise MailUnavailable(f"{detail} (temporary failure)") from None
            raise MailRejected(f"{detail} (message refused)") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise MailUnavailable(
                f"{self.target}: connection lost ({type(exc).__name__})"
            ) from None
        # ``refused`` lists recipients refused while others were accepted (often the admin
        # copy): the message went out, so it counts as sent.
        self.refused_recipients += len(refused)
        self.sent += 1

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            # A server may close an idle connection between two warnings: check, reconnect.
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        target = self.target
        try:
            smtp: smtplib.SMTP
            if target.implicit_tls:
                smtp = smtplib.SMTP_SSL(
                    target.host,
                    target.port,
                    timeout=self.timeout,
                    context=self.tls_context,
                )
            else:
                smtp = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
            try:
                self._handshake(smtp)
            except BaseException:
                smtp.close()
                raise
        except MailError:
            raise
        except smtplib.SMTPAuthenticationError:
            raise MailConfigError(f"{target}: the SMTP server refused the credentials") from None
        except ssl.SSLError as exc:
            raise MailConfigError(f"{target}: TLS failed ({exc.reason})") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailUnavailable(f"{target}: cannot connect ({type(exc).__name__})") from None
        self._smtp = smtp
        return smtp

    def _handshake(self, smtp: smtplib.SMTP) -> None:
        target = self.target
        smtp.ehlo()
        secure = target.implicit_tls
        if not secure and smtp.has_extn("starttls"):
            smtp.starttls(context=self.tls_context)
            smtp.ehlo()
            secure = True
        if target.username:
            if not secure and not is_loopback(target.host):
                raise MailConfigError(
                    f"{target}: the server offers no STARTTLS; refusing to send the password "
                    "in clear text (use smtps://)"
                )
            smtp.login(target.username, target.password.reveal())
