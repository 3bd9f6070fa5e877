"""``assist-sync sandbox``: serve the sandbox shop and client area until stopped.

It prints the ``.env`` lines that point the daemon at it (``assist-sync sandbox > .env``), then
serves until SIGINT or SIGTERM and exits 0. A taken port is one line on stderr and exit 1.
Loopback needs no ``ASSIST_ALLOW_INSECURE_HTTP`` (the clients sign with OAuth 1.0a over plain
HTTP); served on another address (``--host 0.0.0.0``) the lines include it.
"""

from __future__ import annotations

import errno
import signal
import threading
from types import FrameType

import click

from jobs.cli.context import EXIT_FAILURE, UserFacingError
from sandbox import Sandbox


def register(group: click.Group) -> None:
    """Add this module's commands to ``group``."""
    group.add_command(sandbox)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port (default: a free one)."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated data.")
@click.option(
    "--clients", type=click.IntRange(0), default=20, show_default=True, help="Seeded clients."
)
@click.option(
    "--orders", type=click.IntRange(0), default=60, show_default=True, help="Seeded orders."
)
@click.option(
    "--latency-ms",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Delay added to every answer.",
)
@click.option(
    "--no-client-area", is_flag=True, help="Serve the shop only (no assist/v1 namespace)."
)
def sandbox(
    host: str,
    port: int,
    seed: int,
    clients: int,
    orders: int,
    latency_ms: int,
    no_client_area: bool,
) -> None:
    """Serve a seeded sandbox shop and client area on loopback until Ctrl-C.

    Prints the .env lines (WOO_URL, WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET, WP_URL, WP_USERNAME,
    WP_APP_PASSWORD) first; the same --seed gives the same data and credentials.
    """
    box = Sandbox(
        seed=seed,
        clients=clients,
        orders=orders,
        latency_ms=latency_ms,
        host=host,
        port=port,
        with_client_area=not no_client_area,
    )
    try:
        box.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserFacingError(
                f"port {port} on {host} is already in use; pick another with --port",
                EXIT_FAILURE,
            ) from None
        raise UserFacingError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_FAILURE
        ) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for line in box.env_lines():
            click.echo(line)
        click.echo(
            f"sandbox serving {box.url} — {clients} clients, "
            f"{len(box.shop.orders)} orders, {len(box.area.tickets)} tickets; Ctrl-C to stop",
            err=True,
        )
        box.serve_until(stop)
    finally:
        box.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("sandbox stopped", err=True)
