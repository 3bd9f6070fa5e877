"""One pooled session per remote: limits, retries, and the one boundary where errors are typed.

``HttpClient`` is the only place in the project that calls ``requests`` (through
``wp_client.fetch``). Every attempt is prepared anew (fresh OAuth nonce and timestamp), sent
without following redirects, bounded by a whole-request deadline and a size cap (``Limits``;
the deadline never beyond the time the caller has left, ``time_left``), classified by the table
in ``wp_client.retry`` and either returned as parsed JSON or raised as one of the
``wp_client.errors`` classes with a one-line, secret-free message.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import urljoin

import requests
from requests.auth import AuthBase
from requests.structures import CaseInsensitiveDict

from wp_client.bodies import NotJson, decode_json
from wp_client.errors import RemoteError
from wp_client.fetch import Answer, DeadlinePassed, Limits, TooLarge, fetch
from wp_client.remote import Remote
from wp_client.retry import (
    DEADLINE,
    Backoff,
    may_retry,
    parse_retry_after,
    resolve_exception,
)
from wp_client.retry import resolve_status as table_entry
from wp_client.translate import Translator
from wp_client.urls import redact, same_origin, without_query
from wp_client.watchdog import bounded

log = logging.getLogger("wp_client")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Headers never handed back to callers: ``Link`` echoes the query string, credentials included.
HIDDEN_HEADERS = ("link", "set-cookie")  # compared lower-case: servers differ in case
PROBE_REDIRECTS = 5  # hops a public probe follows (``/wp-json`` → ``/wp-json/`` → home page)


def user_agent() -> str:
    try:
        from importlib.metadata import version

        return f"assist-sync/{version('assist-sync')}"
    except Exception:  # not installed (running from a checkout)
        return "assist-sync/0.0"


def params_for_query(params: Mapping[str, object] | None) -> dict[str, str]:
    """Query values as WordPress expects them: lists as comma lists, booleans as true/false."""
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)):
            out[key] = ",".join(str(v) for v in value)
        else:
            out[key] = str(value)
    return out


class HttpClient:
    """JSON over HTTP to one remote rooted at ``api_root`` (e.g. ``https://shop/wp-json``).

    ``requests_made`` counts attempts (retries included); ``bytes_received`` counts body bytes.
    Pass ``session`` to inject one (tests, a run's deadline-bound session); otherwise a pooled
    session is created and owned. Either way it is made ``bounded`` (see ``wp_client.watchdog``),
    so the whole-request deadline of ``limits`` reaches the sockets. ``time_left`` (seconds the
    caller still has, e.g. a run's deadline) shortens that deadline further.
    """

    def __init__(
        self,
        api_root: str,
        remote: Remote,
        *,
        auth: AuthBase | None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        ca_bundle: str | None = None,
        secrets: tuple[str, ...] = (),
        limits: Limits | None = None,
        time_left: Callable[[], float] | None = None,
    ) -> None:
        self.api_root = api_root.rstrip("/")
        self.remote = remote
        self.auth = auth
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.now = now
        self.ca_bundle = ca_bundle
        self._secrets = secrets
        self.errors = Translator(remote, self.api_root, secrets)
        self.limits = limits or Limits()
        self.time_left = time_left
        self._owns_session = session is None
        self.session = bounded(session if session is not None else requests.Session())
        self.session.headers["User-Agent"] = user_agent()
        self.session.headers["Accept"] = "application/json"
        if ca_bundle:
            self.session.verify = ca_bundle
        self.requests_made = 0
        self.bytes_received = 0

    def __repr__(self) -> str:
        return f"HttpClient({self.api_root!r}, auth={self.auth!r})"

    # -- public API -------------------------------------------------------------------------

    def get_json(
        self, path: str, params: Mapping[str, object] | None = None
    ) -> tuple[object, Mapping[str, str]]:
        """GET ``path`` (relative to ``api_root``) and return (parsed JSON, headers)."""
        return self.request_json("GET", path, params=params)

    def send_json(
        self,
        method: str,
        path: str,
        body: object,
        params: Mapping[str, object] | None = None,
        *,
        idempotent: bool | None = None,
    ) -> tuple[object, Mapping[str, str]]:
        """Send ``body`` as UTF-8 JSON; ``idempotent`` overrides the method's default."""
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        return self.request_json(
            method, path, params=params, data=data, headers=headers, idempotent=idempotent
        )

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> tuple[object, Mapping[str, str]]:
        """Make the request (with retries) and return (parsed JSON body, headers without Link).

        Raises the ``wp_client.errors`` classes only.
        """
        method = method.upper()
        url = f"{self.api_root}/{path.lstrip('/')}"
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        response = self._send(method, url, params_for_query(params), data, headers, idempotent)
        if response.status == 204:
            return None, CaseInsensitiveDict()
        try:
            body = decode_json(response.content, response.headers.get("Content-Type", ""))
        except NotJson as exc:
            if exc.html and response.status == 200 and self._permalinks_are_plain():
                raise self.errors.plain_permalinks(response, self.site_root) from None
            raise self.errors.not_json(response, exc) from None
        visible = CaseInsensitiveDict(
            {k: v for k, v in response.headers.items() if k.lower() not in HIDDEN_HEADERS}
        )
        return body, visible

    def derive(
        self, *, auth: AuthBase | None, max_retries: int, remote: Remote | None = None
    ) -> HttpClient:
        """A client on the same session with other auth/retries, and optionally another
        wording of its errors (``doctor`` probes: ``remote.for_doctor()``)."""
        return HttpClient(
            self.api_root,
            remote or self.remote,
            auth=auth,
            session=self.session,
            timeout=self.timeout,
            backoff=Backoff(max_retries=max_retries),
            sleep=self.sleep,
            now=self.now,
            ca_bundle=self.ca_bundle,
            secrets=self._secrets,
            limits=self.limits,
            time_left=self.time_left,
        )

    @property
    def site_root(self) -> str:
        """The site address: ``api_root`` without its ``/wp-json``."""
        return self.api_root.removesuffix("/wp-json")

    def _permalinks_are_plain(self) -> bool:
        """Whether the site's REST API answers only in the ``?rest_route=`` form.

        With WordPress's "Plain" permalink setting ``/wp-json/…`` is no route: WordPress
        redirects it (adding a trailing slash) and then serves the home page (HTML, status 200),
        while ``/?rest_route=/`` still answers the REST index. Two unauthenticated probes of the
        public index tell this apart from a firewall, a cache or a redirect rule; any failure of
        a probe means "no".
        """
        if not self.api_root.endswith("/wp-json"):
            return False
        pretty = self._probe(f"{self.api_root}/", {})
        plain = self._probe(f"{self.site_root}/", {"rest_route": "/"})
        return pretty is None and isinstance(plain, dict) and "namespaces" in plain

    def _probe(self, url: str, params: dict[str, str]) -> object | None:
        """The JSON a public GET of ``url`` answers with (a few redirects followed), or None."""
        for _ in range(PROBE_REDIRECTS + 1):
            self.requests_made += 1
            try:
                probe = self._fetch("GET", url, params=params, auth=None)
            except (requests.RequestException, DeadlinePassed, TooLarge):
                return None
            self.bytes_received += len(probe.content)
            location = probe.headers.get("Location")
            if probe.status in (301, 302, 303, 307, 308) and location:
                try:
                    url, params = urljoin(probe.url, location), {}
                except ValueError:
                    return None
                continue
            if probe.status != 200:
                return None
            try:
                return decode_json(probe.content, probe.headers.get("Content-Type", ""))
            except NotJson:
                return None
        return None

    def _fetch(self, method: str, url: str, **kwargs: object) -> Answer:
        """One attempt within ``limits``, its deadline shortened to ``time_left()``."""
        limits = self.limits
        left = self.time_left() if self.time_left is not None else limits.deadline
        if left < limits.deadline:
            limits = Limits(left, limits.max_bytes)
        return fetch(
            self.session,
            method,
            url,
            limits,
            timeout=self.timeout,
            allow_redirects=False,
            # Explicit, so REQUESTS_CA_BUNDLE in the environment cannot override it.
            verify=self.ca_bundle or None,
            **kwargs,
        )

    def _deadline_setting(self, seconds: float) -> str:
        if seconds < self.limits.deadline:
            return "what was left of the run's deadline"
        return "ASSIST_REQUEST_DEADLINE"

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    # -- the attempt loop -------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        params: dict[str, str],
        data: bytes | None,
        headers: Mapping[str, str] | None,
        idempotent: bool,
    ) -> Answer:
        retry = 0
        while True:
            self.requests_made += 1
            started = time.monotonic()
            failure: RemoteError | None = None
            try:
                response = self._fetch(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=dict(headers or {}),
                    auth=self.auth,
                )
            except requests.RequestException as exc:
                resolution = resolve_exception(exc)
                failure = self.errors.transport(exc, resolution, url, retry + 1)
            except DeadlinePassed as exc:
                resolution = DEADLINE
                setting = self._deadline_setting(exc.seconds)
                failure = self.errors.deadline(exc, url, retry + 1, setting)
            except TooLarge as exc:
                raise self.errors.too_large(exc, url, None) from None
            if failure is not None:
                if (
                    may_retry(resolution, idempotent=idempotent)
                    and retry < self.backoff.max_retries
                ):
                    self._wait(retry, None, method, url, resolution.reason)
                    retry += 1
                    continue
                raise failure from None
            self.bytes_received += len(response.content)
            log.debug(
                "%s %s -> %d (%d bytes, %.2fs)",
                method,
                redact(response.url),
                response.status,
                len(response.content),
                time.monotonic() - started,
            )
            if 300 <= response.status < 400:
                if same_origin(url, response.headers.get("Location", "")) and (
                    self._permalinks_are_plain()
                ):
                    raise self.errors.plain_permalinks(response, self.site_root)
                raise self.errors.redirect(response, url)
            verdict = table_entry(response.status)
            if verdict is None:
                return response
            if may_retry(verdict, idempotent=idempotent) and retry < self.backoff.max_retries:
                retry_after = None
                if response.status in (429, 503):
                    retry_after = parse_retry_after(response.headers.get("Retry-After"), self.now())
                self._wait(retry, retry_after, method, url, verdict.reason)
                retry += 1
                continue
            raise self.errors.status(response, verdict, url, retry + 1)

    def _wait(
        self, retry: int, retry_after: float | None, method: str, url: str, reason: str
    ) -> None:
        delay = self.backoff.delay(retry, retry_after)
        log.warning(
            "%s %s failed (%s); retry %d/%d in %.1fs",
            method,
            without_query(url),
            reason,
            retry + 1,
            self.backoff.max_retries,
            delay,
        )
        self.sleep(delay)
