"""A real SMTP server on 127.0.0.1 for tests: aiosmtpd's Controller, collecting what it receives.

>>> with SmtpServer() as server:          # doctest: +SKIP
...     send(server.url)
...     [mail] = server.messages

``stop()`` makes it unreachable (connection refused) and ``start()`` brings it back on the same
port, so a test can take the mail server down between two sweeps. With ``login`` set, the
server requires AUTH (plain text allowed on loopback) with that (user, password).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.login = login
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
                "auth_require_tls": False,
            }
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
