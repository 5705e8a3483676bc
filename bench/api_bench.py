"""Requests per second for a case's summary through the JSON API, next to the same case's page as HTML.

Both from one gunicorn (gunicorn.conf.py, as `make run` serves eha) on a throwaway SQLite database with the demo
data: the lead professional of an open demo case signs in for the page and makes a personal access token on
/account/tokens for the API, as a person would. The per-token rate limit is raised for the run
(EHA_API_RATE_LIMIT): it would otherwise be what is measured.

One burst tells little on a shared machine, so the two endpoints take turns: --rounds rounds, each an HTML burst
then an API burst (--requests or --seconds, whichever ends first, from --clients threads; http_bench's
``hammer``). The figures are each endpoint's median over the rounds with its range, and the median of the
rounds' own API/HTML ratios (each ratio pairs two bursts a few seconds apart, so a change in the machine's load
between rounds cancels out). The load average before and after is printed with them.

    .venv/bin/python bench/api_bench.py [--rounds 5] [--requests 1000] [--seconds 5] [--clients 4]

Exit status 1 if the app would not start, the token could not be made or any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import BenchError, Client, CsrfTokenFinder, Server, hammer, run_flask, sign_in

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
        page_path, api_path = f"/assessments/{case['ref']}", f"/api/v1/cases/{case['ref']}"
        rounds = []
        for _ in range(args.rounds):
            page = hammer(f"HTML {page_path}", server.port, page_path, cookies, args)
            api = hammer(
                f"API {api_path}", server.port, api_path, {}, args, make_client=lambda: BearerClient(server.port, token)
            )
            rounds.append((page, api))
    finally:
        server.stop()
    return rounds


def _summary(results):
    rates = [r.rps for r in results]
    latencies = [t for r in results for t in r.latencies]
    p50 = statistics.median(latencies) * 1000 if latencies else 0.0
    return statistics.median(rates), min(rates), max(rates), p50


def report(rounds) -> bool:
    """Print the figures; False when any request failed."""
    print(f"\n{'endpoint':<36}{'requests':>9}{'errors':>8}{'median req/s':>14}{'range':>14}{'p50 ms':>9}")
    ok = True
    for index in (0, 1):
        results = [pair[index] for pair in rounds]
        median, low, high, p50 = _summary(results)
        requests = sum(len(r.latencies) for r in results)
        errors = sum(r.errors for r in results)
        print(f"{results[0].name:<36}{requests:>9}{errors:>8}{median:>14.1f}{f'{low:.1f}-{high:.1f}':>14}{p50:>9.1f}")
        for r in results:
            if r.errors:
                ok = False
                print(f"{r.name}: {r.errors} failed requests, the first: {r.first_error}")
        ok = ok and requests > 0
    ratios = [api.rps / page.rps for page, api in rounds if page.rps]
    if ratios:
        print(
            f"API summary vs HTML page, the median of {len(ratios)} paired rounds: {statistics.median(ratios):.2f}x "
            f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="HTML-then-API rounds (default 5)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per burst (default 1000)")
    parser.add_argument("--seconds", type=float, default=5, help="time limit per burst (default 5)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    args = parser.parse_args()
    print(
        f"gunicorn as in gunicorn.conf.py, {args.clients} clients, {args.rounds} rounds of "
        f"{args.requests} requests or {args.seconds:g}s per endpoint; load average before: "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
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
            rounds = _measure(env, tmp, args)
        except (BenchError, StopIteration) as error:
            print(f"api_bench: {error!r}", file=sys.stderr)
            return 1
    ok = report(rounds)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
