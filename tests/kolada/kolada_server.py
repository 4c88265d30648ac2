"""A Kolada-shaped HTTP server on loopback for the client's, the import's and the flow's
tests: a real server (http.server in a thread), answering in Kolada's v3 shape, with
paging, and told per test to answer 429, 5xx or slowly.

A module of its own name, not a conftest.py: ``from conftest import …`` in other test
folders must keep finding tests/conftest.py. A test module imports the fixture
(``kolada_fixture``, used as ``kolada``) from here."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Trouble:
    """How the server misbehaves on paths containing ``path``: ``times`` answers of
    ``status`` (with ``headers``), or, with ``delay``, answers that late."""

    path: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    delay: float = 0.0


@dataclass
class Seen:
    at: float
    path: str
    status: int


class FakeKolada:
    """The server's data and script. ``values[(kpi, code, year)]`` is a list of
    ``{"gender", "value"}``; a KPI is known when it is in ``kpis``."""

    def __init__(self) -> None:
        self.kpis: dict[str, dict[str, Any]] = {}
        self.values: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        self.groups: dict[str, list[str]] = {}
        self.page_size = 1000
        self.troubles: list[Trouble] = []
        self.seen: list[Seen] = []
        self.url = ""  # http://127.0.0.1:PORT/v3
        self._lock = threading.Lock()

    def add_kpi(self, kpi: str, title: str = "", published: str | None = "2026-04-15") -> None:
        title = title or f"Nyckeltal {kpi}"
        self.kpis[kpi] = {"id": kpi, "title": title, "is_divided_by_gender": 1}
        if published:
            self.kpis[kpi]["publication_date"] = published

    def put(
        self, kpi: str, code: str, year: int, total: float | None, **by_sex: float | None
    ) -> None:
        """A value for T, and for K and M when given (``K=…, M=…``)."""
        items = [{"gender": "T", "value": total, "status": "", "count": 1}]
        items += [{"gender": g, "value": v, "status": "", "count": 1} for g, v in by_sex.items()]
        self.values[(kpi, code, year)] = items

    def trouble(self, path: str, **kwargs: Any) -> None:
        self.troubles.append(Trouble(path, **kwargs))

    def data_requests(self) -> list[Seen]:
        return [s for s in self.seen if "/data/" in s.path]

    # ----------------------------------------------------------------- answering
    def answer(
        self, raw_path: str, *, troubles: bool = True
    ) -> tuple[int, dict[str, str], Any, float]:
        parts = urlsplit(raw_path)
        path = parts.path
        with self._lock:
            for trouble in self.troubles if troubles else ():
                if trouble.path in raw_path and trouble.times > 0:
                    if trouble.delay:
                        trouble.times -= 1
                        return (200, {}, None, trouble.delay)  # body made after the delay
                    trouble.times -= 1
                    return trouble.status, trouble.headers, {"error": "scripted"}, 0.0
        if m := re.fullmatch(r"/v3/kpi/([^/]+)", path):
            found = [self.kpis[m[1]]] if m[1] in self.kpis else []
            return 200, {}, {"values": found, "count": len(found)}, 0.0
        if m := re.fullmatch(r"/v3/municipality_groups/([^/]+)", path):
            members = self.groups.get(m[1])
            if members is None:
                return 200, {}, {"values": [], "count": 0}, 0.0
            listed = [{"id": c} for c in members]
            group = {"id": m[1], "title": "Liknande kommuner", "members": listed}
            return 200, {}, {"values": [group], "count": 1}, 0.0
        if m := re.fullmatch(r"/v3/data/kpi/([^/]+)/municipality/([^/]+)/year/([^/]+)", path):
            kpi, codes, years = m[1], m[2].split(","), [int(y) for y in m[3].split(",")]
            entries = [
                {"kpi": kpi, "municipality": code, "period": year, "values": self.values[key]}
                for code in codes
                for year in years
                if (key := (kpi, code, year)) in self.values
            ]
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            start = (page - 1) * self.page_size
            chunk = entries[start : start + self.page_size]
            more = start + self.page_size < len(entries)
            host = self.url.removesuffix("/v3")
            body = {
                "values": chunk,
                "count": len(chunk),
                "next_page": f"{host}{path}?page={page + 1}" if more else None,
            }
            return 200, {}, body, 0.0
        return 404, {}, {"error": "not found"}, 0.0


class _Handler(BaseHTTPRequestHandler):
    kolada: FakeKolada

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status, headers, body, delay = self.kolada.answer(self.path)
        if delay:
            time.sleep(delay)
            status, headers, body, _ = self.kolada.answer(self.path, troubles=False)
        self.kolada.seen.append(Seen(time.monotonic(), self.path, status))
        content = json.dumps(body).encode()
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout tests)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(name="kolada")
def kolada_fixture() -> Iterator[FakeKolada]:
    """A Kolada-shaped server on a free loopback port; ``kolada.url`` is its /v3 base."""
    fake = FakeKolada()
    handler = type("Handler", (_Handler,), {"kolada": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v3"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
