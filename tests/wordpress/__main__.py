"""``python -m tests.wordpress [--tls]``: bring a throwaway shop with the plugin up, print how to
reach it, keep it running until Ctrl-C (or SIGTERM), then take everything down again."""

from __future__ import annotations

import signal
import sys
import threading

from tests.wordpress.site import SiteError, start_site


def main() -> int:
    try:
        site = start_site(tls="--tls" in sys.argv[1:])
    except SiteError as exc:
        print(f"The shop did not start: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        print(f"Shop with assist-client-area at {site.url}/ (page: {site.page_url})")
        for user in (site.admin, site.staff, *site.clients):
            print(f"  login {user.login} / {user.password}")
        print("Daemon settings:")
        for line in site.env_lines():
            print(f"  {line}")
        if site.shop.ca:
            print(f"  WOO_CA_BUNDLE={site.shop.ca}")
        print("Ctrl-C stops it and removes its database and files.")
        sys.stdout.flush()
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
