"""One pooled session per remote: timeouts, retries, and the one boundary where errors are typed.

``HttpClient`` is the only place in the project that calls ``requests``. Every attempt is
prepared anew (fresh OAuth nonce and timestamp), sent without following redirects, classified
by the table in ``wp_client.retry`` and either returned as parsed JSON or raised as one of the
``wp_client.errors`` classes with a one-line, secret-free message.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.structures import CaseInsensitiveDict

from wp_client.bodies import NotJson, decode_json, error_body
from wp_client.errors import (
    AuthenticationError,
    BadPayloadError,
    ConfigurationError,
    RemoteError,
    TransientError,
    scrub,
)
from wp_client.remote import Remote
from wp_client.retry import Backoff, Resolution, may_retry, parse_retry_after, resolve_exception
from wp_client.retry import resolve_status as table_entry
from wp_client.transport import describe_transport_failure
from wp_client.urls import redact, without_query

log = logging.getLogger("wp_client")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Headers never handed back to callers: ``Link`` echoes the query string, credentials included.
HIDDEN_HEADERS = ("Link", "Set-Cookie")


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
    Pass ``session`` to inject one (tests); otherwise a pooled session is created and owned.
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
        self._owns_session = session is None
        self.session = session if session is not None else self._new_session()
        self.session.headers["User-Agent"] = user_agent()
        self.session.headers["Accept"] = "application/json"
        if ca_bundle:
            self.session.verify = ca_bundle
        self.requests_made = 0
        self.bytes_received = 0

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=4, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

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
        if response.status_code == 204:
            return None, CaseInsensitiveDict()
        try:
            body = decode_json(response.content, response.headers.get("Content-Type", ""))
        except NotJson as exc:
            raise self._not_json(response, exc) from None
        visible = CaseInsensitiveDict(
            {k: v for k, v in response.headers.items() if k not in HIDDEN_HEADERS}
        )
        return body, visible

    def derive(self, *, auth: AuthBase | None, max_retries: int) -> HttpClient:
        """A client on the same session and remote with other auth/retries (``doctor`` probes)."""
        return HttpClient(
            self.api_root,
            self.remote,
            auth=auth,
            session=self.session,
            timeout=self.timeout,
            backoff=Backoff(max_retries=max_retries),
            sleep=self.sleep,
            now=self.now,
            ca_bundle=self.ca_bundle,
            secrets=self._secrets,
        )

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
    ) -> requests.Response:
        retry = 0
        while True:
            self.requests_made += 1
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=dict(headers or {}),
                    auth=self.auth,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
                self.bytes_received += len(response.content)
            except requests.RequestException as exc:
                resolution = resolve_exception(exc)
                if (
                    may_retry(resolution, idempotent=idempotent)
                    and retry < self.backoff.max_retries
                ):
                    self._wait(retry, None, method, url, resolution.reason)
                    retry += 1
                    continue
                raise self._transport_error(exc, resolution, url, retry + 1) from None
            log.debug(
                "%s %s -> %d (%d bytes, %.2fs)",
                method,
                redact(response.url or url),
                response.status_code,
                len(response.content),
                time.monotonic() - started,
            )
            if 300 <= response.status_code < 400:
                raise self._redirect(response, url)
            verdict = table_entry(response.status_code)
            if verdict is None:
                return response
            if may_retry(verdict, idempotent=idempotent) and retry < self.backoff.max_retries:
                retry_after = None
                if response.status_code in (429, 503):
                    retry_after = parse_retry_after(response.headers.get("Retry-After"), self.now())
                self._wait(retry, retry_after, method, url, verdict.reason)
                retry += 1
                continue
            raise self._status_error(response, verdict, url, retry + 1)

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

    # -- translation into wp_client.errors --------------------------------------------------

    def _clean(self, text: str) -> str:
        return scrub(text, self._secrets)

    def _transport_error(
        self, exc: requests.RequestException, resolution: Resolution, url: str, attempts: int
    ) -> RemoteError:
        what = describe_transport_failure(exc, resolution.reason, urlsplit(url).hostname or "")
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        message = f"{self.remote.name}: {what}{tries} — {self.remote.fill(resolution.hint)}"
        return resolution.error(
            self._clean(message), url=without_query(url), reason=resolution.reason
        )

    def _redirect(self, response: requests.Response, url: str) -> ConfigurationError:
        """A redirect is never followed: the Authorization header (or the OAuth signature,
        bound to the URL) would not survive it, and the configured address is wrong anyway."""
        target = urljoin(url, response.headers.get("Location", ""))
        here, there = urlsplit(url), urlsplit(target)
        relative = urlsplit(url[len(self.api_root) :]).path
        setting = self.remote.url_setting
        if relative and there.path.endswith(relative):
            site = without_query(target)[: -len(relative)].removesuffix("/wp-json").rstrip("/")
            fix = f"set {setting} to the final address ({site})"
        elif (here.scheme, here.netloc) != (there.scheme, there.netloc):
            fix = f"set {setting} to the final address ({there.scheme}://{there.netloc})"
        else:
            fix = f"a plugin or server rule redirects the REST API; check {setting}"
        why = (
            "the credentials would be dropped on the way"
            if (here.scheme, here.netloc) != (there.scheme, there.netloc)
            else "the REST API must answer at this address without a redirect"
        )
        message = (
            f"{without_query(url)} redirects ({response.status_code}) to {without_query(target)} "
            f"— {fix}: {why}"
        )
        return ConfigurationError(
            self._clean(message),
            url=without_query(url),
            status=response.status_code,
            reason="redirect",
        )

    def _status_error(
        self, response: requests.Response, resolution: Resolution, url: str, attempts: int
    ) -> RemoteError:
        status = response.status_code
        where = without_query(url)
        try:
            parsed: Any = decode_json(response.content, response.headers.get("Content-Type", ""))
            html = False
        except NotJson as exc:
            parsed, html = None, exc.html
        err = error_body(parsed)
        code = err.code if err else None
        detail = f"{status} {code}: {err.message}" if err and code else f"{status}"
        if html:
            detail = f"{status}, an HTML page"
        error: type[RemoteError] = resolution.error
        reason = resolution.reason
        if status == 404 and (code == "rest_no_route" or html or err is None):
            error, reason = ConfigurationError, "no_route"
            message = f"{where} has no REST route ({detail}) — {self.remote.no_route_hint}"
        elif status in (401, 403):
            explained = None
            if self.remote.explain_auth is not None and not html:
                explained = self.remote.explain_auth(status, code, err.message if err else "")
            if html:
                explained = (
                    f"{self.remote.name} answered {detail} at {where} — a firewall or security "
                    "plugin blocks the REST API; allow this server or the /wp-json/ routes"
                )
            message = explained or (
                f"{self.remote.name} refused the request ({detail}) at {where} — "
                f"{self.remote.fill(resolution.hint)}"
            )
            error = AuthenticationError
        elif resolution.error is TransientError:
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            message = (
                f"{self.remote.name} answered {detail} at {where}{tries} — "
                f"{self.remote.fill(resolution.hint)}"
            )
        else:
            message = f"{self.remote.name} answered {detail} at {where}"
            params = _invalid_params(parsed)
            if params:
                message += f" (invalid: {params})"
        return error(self._clean(message), url=where, status=status, code=code, reason=reason)

    def _not_json(self, response: requests.Response, exc: NotJson) -> RemoteError:
        where = without_query(response.url or "")
        status = response.status_code
        if exc.php_notice:
            message = (
                f"{where} answered PHP warnings before the JSON (status {status}) — turn off "
                "WP_DEBUG_DISPLAY on the site or fix the plugin that prints them"
            )
            return ConfigurationError(self._clean(message), url=where, status=status, reason="html")
        if exc.html:
            message = (
                f"{where} answered HTML, not JSON (status {status}) — a security plugin, "
                "cache or maintenance page is in the way"
            )
            return ConfigurationError(self._clean(message), url=where, status=status, reason="html")
        message = f"{where} answered malformed JSON (status {status}): {exc.snippet!r}"
        return BadPayloadError(self._clean(message), url=where, status=status, reason="json")


def _invalid_params(parsed: object) -> str:
    """``rest_invalid_param`` details: ``name: message; …`` (empty when absent)."""
    if not isinstance(parsed, dict):
        return ""
    data = parsed.get("data")
    params = data.get("params") if isinstance(data, dict) else None
    if not isinstance(params, dict):
        return ""
    return "; ".join(f"{k}: {v}" for k, v in params.items())[:300]
