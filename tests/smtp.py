"""A real SMTP server on 127.0.0.1 for tests: aiosmtpd's Controller, collecting what it receives.

>>> with SmtpServer() as server:          # doctest: +SKIP
...     send(server.url)
...     [mail] = server.messages

``stop()`` makes it unreachable (connection refused) and ``start()`` brings it back on the same
port, so a test can take the mail server down between two sweeps. With ``login`` set, the
server requires AUTH with that (user, password); with ``starttls`` it also offers STARTTLS and
requires it before AUTH and mail, with a self-signed certificate for 127.0.0.1 (``CERT_PEM``,
valid until 2126, made for these tests only) that ``client_tls_context()`` trusts.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class Received:
    """One message as the server got it: envelope and parsed content."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None, "no text/plain part"
        return str(part.get_content()).replace("\r\n", "\n")

    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None, "no text/html part"
        return str(part.get_content()).replace("\r\n", "\n")


class _Collector:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.server.messages.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed))
        return "250 OK"


CERT_PEM = """\
-----BEGIN CERTIFICATE-----
MIIDJzCCAg+gAwIBAgIUfgXw6GA6X5zhlhF3wzKoCbY1D+wwDQYJKoZIhvcNAQEL
BQAwFDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNjExMjAwMVoYDzIxMjYx
MTAyMTEyMDAxWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQCLbwY+3EoBoVyQT8ExOg36tX4I9/dEtfRX2S/Mym7s
toDg8ufpPgW5uXS/n56h4Are/LqeXV1cGQc62mG1iMeoF4UDKXvcSBFtVqmZmcaI
5Qtm2YglmRxBj6EfrSQtPfI8E0Pc4SlxkW+CoFWzjWSjwjLopWUCA5P0JhgzMMVF
DsG55cdl2+4WpYaquxq3LfydVchv4dYzzUJ/rqGAxiVMYwAufMwshZCh+gO8rNnw
bpgPFt7Bs7pNFNJVmV667eXNuoVdiE2TuxkbjCdwNgdiaqpBg87LiF+r3JG/GRYB
4iegpWDx8I2ucgajiWD3g8J6xg8Yu3e73onXz1JkjH9ZAgMBAAGjbzBtMB0GA1Ud
DgQWBBRrdSdo3omS1iP9enTNMV04hFbK/jAfBgNVHSMEGDAWgBRrdSdo3omS1iP9
enTNMV04hFbK/jAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGHBH8AAAGCCWxv
Y2FsaG9zdDANBgkqhkiG9w0BAQsFAAOCAQEAgAaAjJxwKHJnh7IMRsnIVoKmh/gx
c3h35i5ul9BmMppFIleMvNpK4Nue4zWeUySAjmVTU0g0MByNIaj00FpyELDmGNja
3YbtjFpl07lvIPoUBzsdufr9SdlIt/nJNfj8Werted0jsTIKbbkEkVCg2RNCtcIN
qYDqjMEFb1oP00xwPqBe0Tt6pMuWxULFGV1wFJICUQ/+zicXAHhdkM/5gUyTsaQI
VuwSBbgcp7h0HiXUrvYTQa6D2SsKHRlUI0s0w753TLtRgMSPbj2vLxCIpVF27hG+
jbD3qJYzaO0auFqVZOrTRFY0w9wchvEXc4WMwcVqB7CubQaPYYU2H5sJMw==
-----END CERTIFICATE-----
"""

KEY_PEM = """\
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCLbwY+3EoBoVyQ
T8ExOg36tX4I9/dEtfRX2S/Mym7stoDg8ufpPgW5uXS/n56h4Are/LqeXV1cGQc6
2mG1iMeoF4UDKXvcSBFtVqmZmcaI5Qtm2YglmRxBj6EfrSQtPfI8E0Pc4SlxkW+C
oFWzjWSjwjLopWUCA5P0JhgzMMVFDsG55cdl2+4WpYaquxq3LfydVchv4dYzzUJ/
rqGAxiVMYwAufMwshZCh+gO8rNnwbpgPFt7Bs7pNFNJVmV667eXNuoVdiE2Tuxkb
jCdwNgdiaqpBg87LiF+r3JG/GRYB4iegpWDx8I2ucgajiWD3g8J6xg8Yu3e73onX
z1JkjH9ZAgMBAAECggEAFs8a6bIODi24D2hojVW2nzZMz4lGww/z0GIYMmtEEYd6
VjIOM2bAt4TJvyYMpGTaymbz3T+fK9dxShSaysA9DveH/AAvgZWteiIk3Npdspur
TZAUuDfPej8VZ7HiWt9JDsBFB+8yYSBeKjNxyY098xbrzoht2VI+BACuUUNvZdAa
FnsrMhDCH/WHw8SJYV7eI5kRtpNp8t8IuV2fpLJSzW7kq4CTAIr409+bHkgjSYQo
aPTvX7cgDC7cbUeB4+LOfZeaWdgMHyZI61PSkqFuFlVpjDKJ9ryGV7rHbEIYEAS4
a4TY//D428kSOq7Ocj2CAGSaB0uQZdYFz21WgU4KDQKBgQDBk2dgjNONzuTWUItL
XgMlW1UNWhfr0TKLCCcNfEP1ECo+ogFQJ4SjBydMNvV2q4hS3jqemB1ZGi1mj6PF
iO+QRoYJNLmDlJ3NFeWjbKlOfD0ZrnOFWnCZq4DchN17HifZoTGDJBx47kuCDbbV
z5+av3ePg+GYdDAGicqA+V2gNQKBgQC4Ze8WkTS9FJ5EnYrBWfw5Faqp6abG8rCx
58/cB1/zuExDPmFol1ux7db8Rb6cCBld8dFWBqcPDc9tDzQdiOuGw0/gH7NMnAyJ
zNYyxFYNXtmjnYO5x5IXYvs0HPyZSv9SfMNIBDy8OCNFIHyL6CpafRsEbCEauRcw
S/3Vx3ZPFQKBgHAbcTxucrrm/orMHM/qQ4IoEeroqX/uKQpyD0P1GtpboUuiwYXt
TRiptO2jyqcOkqYDhAmDaUPIMFD8kUl+k9eHsGq2eVYmBPnYW6U48hi9RRmRed/a
T+n/dGLCJA8AmO2mOCmOCVtUDrDkRmYvl2ykxJZ+N3H2oDW5KWlmgf2dAoGATlzr
VTDSM8RuWgSFchPWrz+47kpgWM3ML16vI/dyXHWm2zDIXpVsH1pO8ZiGH3MFrLnW
V3OuTSR2UQeUAzUrunKIIFv4a4cpgOou4RY056u2W+TVlP7t48hprsTeyBpqFNj2
eEVstiQ5QOhEZYR9c0UVVTTKgLvF0f2JWu9QJN0CgYAbNTTOE+sbcgb6Ygdeb3zT
kNN3ZlVhv3AWh+e8tE5HXZH3x2lAKlcxT8EhqTXQ7oaPIrwHxNW/T7+S69qPwSvq
2abV5KoGKjJyXOo0rglCOjONd5Z4koxUFFp9rfR9lLoDOZhwAGEOa+qdCmpPYVDW
Wr/Zr8IizgMd0zRUWc6nrw==
-----END PRIVATE KEY-----
"""


def _pem_files() -> tuple[str, str]:
    folder = Path(tempfile.mkdtemp(prefix="smtp-tls-"))
    (folder / "cert.pem").write_text(CERT_PEM)
    (folder / "key.pem").write_text(KEY_PEM)
    return str(folder / "cert.pem"), str(folder / "key.pem")


def server_tls_context() -> ssl.SSLContext:
    cert, key = _pem_files()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def client_tls_context() -> ssl.SSLContext:
    """Trusts the test server's certificate (and nothing else)."""
    return ssl.create_default_context(cadata=CERT_PEM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    def __init__(self, login: tuple[str, str] | None = None, *, starttls: bool = False) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.login = login
        self.starttls = starttls
        self.messages: list[Received] = []
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        auth = f"{self.login[0]}:{self.login[1]}@" if self.login else ""
        return f"smtp://{auth}{self.host}:{self.port}"

    def start(self) -> SmtpServer:
        kwargs: dict[str, Any] = {}
        if self.login is not None:
            kwargs = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": self.starttls,
            }
        if self.starttls:
            kwargs |= {"tls_context": server_tls_context(), "require_starttls": True}
        self._controller = Controller(
            _Collector(self), hostname=self.host, port=self.port, **kwargs
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self.login is not None
            and (data.login.decode(), data.password.decode()) == self.login
        )
        return AuthResult(success=ok, handled=False)

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
