"""Requests per second for a case's summary through the JSON API, next to the same case's page as HTML.

Both from one gunicorn (gunicorn.conf.py, as `make run` serves eha) on a throwaway SQLite database with the demo
data: the lead professional of an open demo case signs in for the page and makes a personal access token on
/account/tokens for the API, as a person would. Each endpoint gets a bounded burst (--requests or --seconds,
whichever ends first) from --clients threads. The per-token rate limit is raised for the run
(EHA_API_RATE_LIMIT): it would otherwise be what is measured.

    .venv/bin/python bench/api_bench.py [--requests 1000] [--seconds 10] [--clients 4]

Exit status 1 if the app would not start, the token could not be made or any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import (
    WARM_UP_REQUESTS,
    BenchError,
    Client,
    CsrfTokenFinder,
    Result,
    Server,
    run_flask,
    sign_in,
)

TOKEN = re.compile(r"eha_pat_[A-Za-z0-9_-]+")


class BearerClient(Client):
    """A client that sends a bearer token and no cookies."""

    def __init__(self, port: int, token: str):
        super().__init__(port)
        self.token = token

    def request(self, method, path, body=None):
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self.token}"}
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        if response.will_close:
            self.conn.close()
        return response.status, dict(response.headers.items()), data


def make_token(port: int, cookies: dict[str, str]) -> str:
    client = Client(port, cookies)
    status, _, body = client.request("GET", "/account/tokens")
    finder = CsrfTokenFinder()
    finder.feed(body.decode("utf-8", "replace"))
    if status != 200 or not finder.token:
        raise BenchError(f"GET /account/tokens gave {status}")
    form = urlencode({"csrf_token": finder.token, "name": "bench", "scopes": "read", "days": "7"})
    status, _, body = client.request("POST", "/account/tokens", body=form)
    found = TOKEN.search(body.decode("utf-8", "replace"))
    if status != 200 or not found:
        raise BenchError(f"POST /account/tokens gave {status} and {'a' if found else 'no'} token")
    return found.group(0)


def hammer(name: str, make_client, path: str, args) -> Result:
    result = Result(name)
    lock = threading.Lock()
    budget = {"left": args.requests}
    warm = make_client()
    for _ in range(WARM_UP_REQUESTS):
        warm.request("GET", path)
    warm.close()

    def worker(deadline: float) -> None:
        client = make_client()
        latencies, errors, first_error = [], 0, ""
        while time.perf_counter() < deadline:
            with lock:
                if budget["left"] <= 0:
                    break
                budget["left"] -= 1
            started = time.perf_counter()
            try:
                status, _, _ = client.request("GET", path)
            except (OSError, http.client.HTTPException) as error:
                status = repr(error)
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
                first_error = first_error or str(status)
        client.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.first_error = result.first_error or first_error

    started = time.perf_counter()
    deadline = started + args.seconds
    with ThreadPoolExecutor(args.clients) as pool:
        for future in [pool.submit(worker, deadline) for _ in range(args.clients)]:
            future.result()
    result.elapsed = time.perf_counter() - started
    return result


def _measure(env, tmp, args):
    run_flask(env, "db", "upgrade")
    demo = json.loads(run_flask(env, "demo", "--json"))
    case = next(a for a in demo["assessments"] if a["state"] == "plan_active")
    password = os.environ.get("EHA_DEMO_PASSWORD", "demo-password-change-me")
    server = Server("eha", "wsgi:app", env, tmp)
    try:
        server.wait_until_serving("/healthz")
        cookies = sign_in(server.port, case["lead_email"], password)
        token = make_token(server.port, cookies)
        path = f"/assessments/{case['ref']}"
        page = hammer(f"HTML {path}", lambda: Client(server.port, cookies), path, args)
        api = hammer(
            f"API /api/v1/cases/{case['ref']}",
            lambda: BearerClient(server.port, token),
            f"/api/v1/cases/{case['ref']}",
            args,
        )
    finally:
        server.stop()
    return page, api


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint (default 1000)")
    parser.add_argument("--seconds", type=float, default=10, help="time limit per endpoint (default 10)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eha-api-bench-") as tmp:
        tmp = Path(tmp)
        env = {
            **os.environ,
            "EHA_CONFIG": "development",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "EHA_API_RATE_LIMIT": "1000000 per minute",
        }
        env.pop("PORT", None)
        try:
            page, api = _measure(env, tmp, args)
        except (BenchError, StopIteration) as error:
            print(f"api_bench: {error!r}", file=sys.stderr)
            return 1
    print(f"\n{'endpoint':<36}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for r in (page, api):
        print(
            f"{r.name:<36}{len(r.latencies):>9}{r.errors:>8}{r.rps:>9.0f}"
            f"{r.percentile(50) * 1000:>9.1f}{r.percentile(95) * 1000:>9.1f}"
        )
        if r.errors:
            print(f"{r.name}: {r.errors} failed requests, the first: {r.first_error}")
    ratio = api.rps / page.rps if page.rps else 0.0
    print(f"API summary vs HTML page: {ratio:.2f}x the requests per second")
    return 1 if any(r.errors or not r.latencies for r in (page, api)) else 0


if __name__ == "__main__":
    sys.exit(main())
