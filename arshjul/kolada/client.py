"""Kolada's v3 API over HTTP: retries with back-off, timeouts, paging.

Kolada is a public service that limits how fast it is asked (429 with Retry-After)
and is now and then briefly unavailable (5xx). Both are waited out a few times; a
key figure that still cannot be had ends as one :class:`KoladaError` with a Swedish
message naming the address and what happened, so the flow can fail its run with it
while everything stored before stays.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from arshjul.errors import ArshjulError
from arshjul.kolada.values import KoladaRow, read_entries

#: Kolada answers at most about 20 ids per call (DOMAIN.md).
IDS_PER_CALL = 20
#: A loop of next_page links, or a server paging forever, ends here.
MAX_PAGES = 1000


class KoladaError(ArshjulError):
    """Kolada could not be asked, or answered what the engine cannot use."""


@dataclass(frozen=True)
class KpiInfo:
    """A key figure's metadata: its title and Kolada's publication date, when given."""

    id: str
    title: str
    published: dt.date | None


class KoladaClient:
    """An async client of Kolada's v3 API; use as ``async with KoladaClient(url) as c``.

    ``timeout``: seconds for each request. ``attempts``: tries per request in all.
    ``backoff``: the first wait after a 5xx, a timeout or a lost connection, doubled for
    each further try. ``max_wait``: the longest Retry-After the client waits out; a
    longer one fails at once (a fetch that would wait an hour is better retried by
    next month's run than left hanging in a worker).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        attempts: int = 4,
        backoff: float = 2.0,
        max_wait: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_wait = max_wait
        self.requests = 0  # how many HTTP requests were made (the report says it)
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "arshjul (kolada-hamtning)"},
            follow_redirects=True,
        )

    async def __aenter__(self) -> KoladaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def kpi(self, kpi: str) -> KpiInfo | None:
        """A key figure's metadata; None if Kolada has no key figure by that id."""
        answer = await self._get(self._url(f"kpi/{kpi}"), missing_ok=True)
        if answer is None:
            return None
        entries = answer.get("values")
        found = [e for e in entries or [] if isinstance(e, dict) and e.get("id") == kpi]
        if not found:
            return None
        return KpiInfo(kpi, str(found[0].get("title") or ""), _date(found[0]))

    async def group_members(self, group: str) -> list[str]:
        """The municipality codes of one of Kolada's municipality groups."""
        answer = await self._get(self._url(f"municipality_groups/{group}"), missing_ok=True)
        entries = (answer or {}).get("values") or []
        for entry in entries:
            if isinstance(entry, dict) and entry.get("id") == group:
                members = entry.get("members") or []
                return [str(m["id"]) for m in members if isinstance(m, dict) and "id" in m]
        raise KoladaError(
            f"Kommungruppen {group} finns inte i Kolada: kontrollera comparison_group "
            "under [kolada] i konfigurationen."
        )

    async def values(
        self,
        kpi: str,
        codes: Sequence[str],
        years: Sequence[int],
        *,
        kolada_updated: dt.date | None = None,
    ) -> list[KoladaRow]:
        """Every value of ``kpi`` for the areas and years, each sex Kolada has, all pages."""
        rows: list[KoladaRow] = []
        year_list = ",".join(str(y) for y in sorted(set(years)))
        unique = list(dict.fromkeys(codes))
        for start in range(0, len(unique), IDS_PER_CALL):
            ids = ",".join(unique[start : start + IDS_PER_CALL])
            url = self._url(f"data/kpi/{kpi}/municipality/{ids}/year/{year_list}")
            for entries in await self._pages(url):
                found, problems = read_entries(entries, kolada_updated=kolada_updated)
                if problems:
                    raise KoladaError(
                        f"Kolada svarade i ett oväntat format på {url}.", details=problems[:5]
                    )
                rows.extend(found)
        return rows

    def _url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    async def _pages(self, url: str) -> list[Any]:
        """Each page's ``values``, following ``next_page`` until there is none."""
        pages: list[Any] = []
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen or len(pages) >= MAX_PAGES:
                raise KoladaError(f"Kolada slutar inte ge nya sidor för {url}.")
            seen.add(next_url)
            answer = await self._get(next_url)
            assert answer is not None  # missing_ok is False
            pages.append(answer.get("values", []))
            link = answer.get("next_page")
            # A relative link is read against the page it came from.
            next_url = urljoin(next_url, link) if isinstance(link, str) and link else None
        return pages

    async def _get(self, url: str, *, missing_ok: bool = False) -> dict[str, Any] | None:
        """One JSON object from Kolada, waiting out 429, 5xx, timeouts and lost connections."""
        problem = ""
        for attempt in range(1, self.attempts + 1):
            wait = self.backoff * 2 ** (attempt - 1)
            self.requests += 1
            try:
                response = await self._http.get(url)
            except httpx.TimeoutException:
                problem = f"svarade inte inom {_seconds(self.timeout)}"
            except httpx.TransportError as exc:
                problem = f"kunde inte nås ({exc.__class__.__name__})"
            else:
                status = response.status_code
                if status == 429:
                    asked = _retry_after(response.headers.get("Retry-After"))
                    if asked is not None and asked > self.max_wait:
                        raise KoladaError(
                            f"Kolada ber om en paus på {_seconds(asked)} (429) för {url}; "
                            "hämtningen görs om vid nästa körning."
                        )
                    wait = asked if asked is not None else wait
                    problem = "bad om en paus (429) för många gånger"
                elif status >= 500:
                    problem = f"svarade med fel {status}"
                elif status == 404 and missing_ok:
                    return None
                elif status >= 400:
                    raise KoladaError(f"Kolada svarade {status} på {url}: frågan avvisades.")
                else:
                    return _json(response, url)
            if attempt < self.attempts:
                await asyncio.sleep(wait)
        raise KoladaError(f"Kolada {problem}: {url} ({self.attempts} försök).")


def _json(response: httpx.Response, url: str) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        raise KoladaError(f"Kolada svarade inte med JSON på {url}.") from None
    if not isinstance(answer, dict):
        raise KoladaError(f"Kolada svarade i ett oväntat format på {url}.")
    return answer


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds, or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _date(entry: dict[str, Any]) -> dt.date | None:
    """Kolada's publication date of a key figure (``publication_date``), if it gives one."""
    raw = entry.get("publication_date")
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _seconds(value: float) -> str:
    shown = f"{value:g}".replace(".", ",")
    return f"{shown} sekund" if value == 1 else f"{shown} sekunder"
