"""Translating what a remote answered, or what ``requests`` raised, into ``wp_client.errors``.

Used only by ``HttpClient``: together they are the single boundary past which no ``requests``,
``urllib3`` or ``json`` error travels. Every message is one line, scrubbed of the remote's
secrets, names URLs without their query string, and quotes the remote's own words (error codes
and messages, HTML titles, redirect targets, parameter names) only through ``safe_line``: a
remote cannot start a forged log line (CR/LF) or colour a terminal (ANSI escapes) through us.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from wp_client.bodies import NotJson, decode_json, error_body, safe_line
from wp_client.errors import (
    AuthenticationError,
    BadPayloadError,
    ConfigurationError,
    RemoteError,
    TransientError,
    scrub,
)
from wp_client.fetch import Answer, DeadlinePassed, TooLarge
from wp_client.remote import Remote
from wp_client.retry import DEADLINE, TOO_LARGE, Resolution
from wp_client.transport import describe_transport_failure
from wp_client.urls import without_query


class Translator:
    """Builds the exception for one remote (its names, its API root, its secrets)."""

    def __init__(self, remote: Remote, api_root: str, secrets: tuple[str, ...]) -> None:
        self.remote = remote
        self.api_root = api_root
        self._secrets = secrets

    def clean(self, text: str) -> str:
        return scrub(text, self._secrets)

    def transport(
        self, exc: requests.RequestException, resolution: Resolution, url: str, attempts: int
    ) -> RemoteError:
        what = describe_transport_failure(exc, resolution.reason, urlsplit(url).hostname or "")
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        message = f"{self.remote.name}: {what}{tries} — {self.remote.fill(resolution.hint)}"
        return resolution.error(
            self.clean(message), url=without_query(url), reason=resolution.reason
        )

    def deadline(
        self, exc: DeadlinePassed, url: str, attempts: int, setting: str
    ) -> TransientError:
        """No complete answer within the request's deadline (``setting`` says whose)."""
        host = urlsplit(url).hostname or ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        message = (
            f"{self.remote.name}: no complete answer from {host} within {exc.seconds:g} s "
            f"({setting}){tries} — {DEADLINE.hint}"
        )
        return TransientError(self.clean(message), url=without_query(url), reason=DEADLINE.reason)

    def too_large(self, exc: TooLarge, url: str, status: int | None) -> BadPayloadError:
        """An answer over ``ASSIST_MAX_RESPONSE_BYTES`` (declared, or counted while reading)."""
        where = without_query(url)
        size = f"announces {exc.declared} bytes" if exc.declared else "goes on"
        message = (
            f"{where} answered too much: the answer {size}, more than the {exc.limit} bytes "
            f"allowed (ASSIST_MAX_RESPONSE_BYTES) — {TOO_LARGE.hint}"
        )
        return BadPayloadError(
            self.clean(message), url=where, status=status, reason=TOO_LARGE.reason
        )

    def redirect(self, response: Answer, url: str) -> ConfigurationError:
        """A redirect is never followed: the Authorization header (or the OAuth signature,
        bound to the URL) would not survive it, and the configured address is wrong anyway."""
        location = response.headers.get("Location", "")
        try:
            message = self._redirect_message(url, urljoin(url, location), response.status)
        except ValueError:  # a Location that is no URL at all
            message = (
                f"{without_query(url)} redirects ({response.status}) to an invalid address "
                f"({safe_line(location, 80)!r}) — check {self.remote.url_setting}"
            )
        return ConfigurationError(
            self.clean(message),
            url=without_query(url),
            status=response.status,
            reason="redirect",
        )

    def _redirect_message(self, url: str, target: str, status: int) -> str:
        here, there = urlsplit(url), urlsplit(target)
        relative = urlsplit(url[len(self.api_root) :]).path
        setting = self.remote.url_setting
        if relative and there.path.endswith(relative):
            site = without_query(target)[: -len(relative)].removesuffix("/wp-json").rstrip("/")
            fix = f"set {setting} to the final address ({safe_line(site, 200)})"
        elif (here.scheme, here.netloc) != (there.scheme, there.netloc):
            origin = safe_line(f"{there.scheme}://{there.netloc}", 200)
            fix = f"set {setting} to the final address ({origin})"
        else:
            fix = f"a plugin or server rule redirects the REST API; check {setting}"
        why = (
            "the credentials would be dropped on the way"
            if (here.scheme, here.netloc) != (there.scheme, there.netloc)
            else "the REST API must answer at this address without a redirect"
        )
        return (
            f"{without_query(url)} redirects ({status}) to "
            f"{safe_line(without_query(target), 200)} — {fix}: {why}"
        )

    def status(
        self, response: Answer, resolution: Resolution, url: str, attempts: int
    ) -> RemoteError:
        status = response.status
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
                explained = self.remote.explain_auth(
                    status, code, err.message if err else "", doctor=self.remote.doctor
                )
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
        return error(self.clean(message), url=where, status=status, code=code, reason=reason)

    def plain_permalinks(self, response: Answer, site: str) -> ConfigurationError:
        """``/wp-json/`` answered the home page because the site uses plain permalinks."""
        where = without_query(response.url)
        message = (
            f"{where} answered the site's home page, not JSON: {site} uses plain permalinks — "
            "in WordPress, Settings → Permalinks, choose any structure but Plain (e.g. Post "
            "name) and save"
        )
        return ConfigurationError(
            self.clean(message), url=where, status=response.status, reason="plain_permalinks"
        )

    def not_json(self, response: Answer, exc: NotJson) -> RemoteError:
        where = without_query(response.url)
        status = response.status
        if exc.php_notice:
            message = (
                f"{where} answered PHP warnings before the JSON (status {status}) — turn off "
                "WP_DEBUG_DISPLAY on the site or fix the plugin that prints them"
            )
            return ConfigurationError(self.clean(message), url=where, status=status, reason="html")
        if exc.html:
            message = (
                f"{where} answered HTML, not JSON (status {status}) — a security plugin, "
                "cache or maintenance page is in the way"
            )
            return ConfigurationError(self.clean(message), url=where, status=status, reason="html")
        if exc.problem:
            message = f"{where} answered malformed JSON ({exc.problem}; status {status})"
        else:
            message = f"{where} answered malformed JSON (status {status}): {exc.snippet!r}"
        return BadPayloadError(self.clean(message), url=where, status=status, reason="json")


def _invalid_params(parsed: object) -> str:
    """``rest_invalid_param`` details: ``name: message; …`` (empty when absent)."""
    if not isinstance(parsed, dict):
        return ""
    data = parsed.get("data")
    params = data.get("params") if isinstance(data, dict) else None
    if not isinstance(params, dict):
        return ""
    return safe_line("; ".join(f"{k}: {v}" for k, v in params.items()), 300)
