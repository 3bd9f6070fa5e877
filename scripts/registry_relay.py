"""The package registries, reachable from a network namespace that has nothing but loopback.

``scripts/fresh-machine-check`` runs ``.ci/run`` in a new network namespace, so that the servers
it starts there (PostgreSQL, MariaDB, the shops) cannot clash with this machine's own on the same
ports. apt and pip still need Debian's mirror and PyPI, so two halves of an HTTP proxy carry
their requests through a Unix socket that both sides see:

    python3 registry_relay.py serve SOCKET   # on the host: an HTTP proxy on a Unix socket
    python3 registry_relay.py relay PORT SOCKET   # in the namespace: 127.0.0.1:PORT → SOCKET

The proxy answers only for the registries' hosts (``ALLOWED``); anything else gets 403. It takes
``CONNECT host:443`` (pip over HTTPS) and plain ``GET http://host/...`` (apt), one request per
connection.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading

ALLOWED = {
    "deb.debian.org",
    "security.debian.org",
    "pypi.org",
    "files.pythonhosted.org",
}
MAX_HEAD = 64 * 1024


def pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes from ``source`` to ``sink`` until either side closes."""
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def splice(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways between ``a`` and ``b``; close both when done."""
    other = threading.Thread(target=pipe, args=(b, a), daemon=True)
    other.start()
    pipe(a, b)
    other.join()
    a.close()
    b.close()


def read_head(conn: socket.socket) -> tuple[bytes, bytes]:
    """The request head (up to the blank line) and whatever body bytes came with it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk or len(data) > MAX_HEAD:
            raise ValueError("incomplete request head")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def refuse(conn: socket.socket, status: str) -> None:
    with contextlib.suppress(OSError):
        head = f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        conn.sendall(head.encode())
    conn.close()


def serve_one(conn: socket.socket) -> None:
    """Answer one proxy request: a tunnel for CONNECT, a forwarded request for http:// URLs."""
    try:
        head, rest = read_head(conn)
        request_line, *headers = head.decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ", 2)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            if host not in ALLOWED or port != "443":
                return refuse(conn, "403 Forbidden")
            upstream = socket.create_connection((host, 443), timeout=30)
            upstream.settimeout(None)
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            return splice(conn, upstream)
        if not target.startswith("http://"):
            return refuse(conn, "400 Bad Request")
        authority, slash, path = target[len("http://") :].partition("/")
        host, _, port_text = authority.partition(":")
        if host not in ALLOWED:
            return refuse(conn, "403 Forbidden")
        kept = [
            line
            for line in headers
            if line.split(":", 1)[0].strip().lower() not in {"connection", "proxy-connection"}
        ]
        forwarded = "\r\n".join(
            [f"{method} {slash}{path} {version}", *kept, "Connection: close", "", ""]
        )
        upstream = socket.create_connection((host, int(port_text or 80)), timeout=30)
        upstream.settimeout(None)
        upstream.sendall(forwarded.encode("latin-1") + rest)
        splice(conn, upstream)
    except (OSError, ValueError):
        refuse(conn, "502 Bad Gateway")


def serve(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o666)  # apt downloads as the user _apt
    server.listen(64)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve_one, args=(conn,), daemon=True).start()


def relay(port: int, path: str) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    while True:
        conn, _ = server.accept()
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(path)
        except OSError:
            conn.close()
            upstream.close()
            continue
        threading.Thread(target=splice, args=(conn, upstream), daemon=True).start()


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "serve":
        serve(argv[1])
    elif len(argv) == 3 and argv[0] == "relay" and argv[1].isdigit():
        relay(int(argv[1]), argv[2])
    else:
        print("usage: registry_relay.py serve SOCKET | relay PORT SOCKET", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
