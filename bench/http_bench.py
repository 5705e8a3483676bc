"""Requests per second and p95 latency of eha over loopback, next to a bare Flask app.

Both are served by gunicorn with gunicorn.conf.py, as `make run` serves eha, on a free
127.0.0.1 port with a throwaway SQLite database. Each endpoint gets a bounded burst
(--requests or --seconds, whichever ends first) from --clients threads, each thread
with its own connection and cookies. Only the standard library is used on the client
side, so the numbers include no client framework overhead beyond http.client.

    .venv/bin/python bench/http_bench.py [--requests 2000] [--seconds 10] [--clients 8]

Signed-in ``GET /`` is measured as served (My cases kept while nothing changes, eha/page_cache.py) and again from
a server with the cache off, so each request draws the page as after a change.

Exit status 1 if the app would not start, sign-in failed or any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WARM_UP_REQUESTS = 40
START_TIMEOUT = 60
COMMAND_TIMEOUT = 180


class BenchError(Exception):
    pass


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    elapsed: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


class Client:
    """One keep-alive-if-possible connection with its own cookies (gunicorn's sync workers close
    every connection, so in practice each request opens a new one, as a browser's would)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if response.will_close:
            self.conn.close()
        return response.status, dict(response.headers.items()), data

    def close(self) -> None:
        self.conn.close()


class CsrfTokenFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrf_token" and self.token is None:
            self.token = attrs.get("value")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group, so stopping it stops its workers too."""

    def __init__(self, name: str, app: str, env: dict[str, str], log_dir: Path, extra: list[str] = ()):
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"{name}-gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-b",
            f"{HOST}:{self.port}",
            *extra,
            app,
        ]
        self.log = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_serving(self, path: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name}: gunicorn exited with {self.process.returncode}\n{self.tail()}")
            try:
                status, _, _ = Client(self.port).request("GET", path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"{self.name}: not serving {path} after {START_TIMEOUT}s\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.log.close()


def run_flask(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if done.returncode:
        raise BenchError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def sign_in(port: int, email: str, password: str) -> dict[str, str]:
    client = Client(port)
    status, _, body = client.request("GET", "/sign-in")
    finder = CsrfTokenFinder()
    finder.feed(body.decode("utf-8", "replace"))
    if status != 200 or not finder.token:
        raise BenchError(f"GET /sign-in gave {status} and {'a' if finder.token else 'no'} csrf_token")
    form = urlencode({"csrf_token": finder.token, "email": email, "password": password})
    status, headers, _ = client.request("POST", "/sign-in", body=form)
    location = headers.get("Location", "")
    if status not in (302, 303) or urlsplit(location).path not in ("", "/"):
        raise BenchError(f"POST /sign-in as {email} gave {status} to {location!r}, expected a redirect to /")
    status, _, _ = client.request("GET", "/")
    if status != 200:
        raise BenchError(f"GET / right after signing in gave {status}")
    client.close()
    return client.cookies


def hammer(name: str, port: int, path: str, cookies: dict[str, str], args, make_client=None) -> Result:
    """args.clients threads share a budget of args.requests requests or args.seconds seconds. ``make_client``
    (default: a cookie ``Client``) makes each thread's client, e.g. one sending a bearer token."""
    result = Result(name)
    lock = threading.Lock()
    budget = {"left": args.requests}
    make_client = make_client or (lambda: Client(port, cookies))

    def warm_up():
        client = make_client()
        for _ in range(WARM_UP_REQUESTS):
            client.request("GET", path)
        client.close()

    def worker(deadline: float) -> None:
        client = make_client()
        latencies = []
        errors, first_error = 0, ""
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
            took = time.perf_counter() - started
            if status == 200:
                latencies.append(took)
            else:
                errors += 1
                first_error = first_error or f"{status}"
        client.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.first_error = result.first_error or first_error

    warm_up()
    started = time.perf_counter()
    deadline = started + args.seconds
    with ThreadPoolExecutor(args.clients) as pool:
        for future in [pool.submit(worker, deadline) for _ in range(args.clients)]:
            future.result()
    result.elapsed = time.perf_counter() - started
    return result


def print_table(results: list[Result], baseline: Result) -> None:
    print(
        f"\n{'endpoint':<28}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'req/s vs hello':>16}{'p95 vs hello':>14}"
    )
    for r in results:
        rps_ratio = r.rps / baseline.rps if baseline.rps else 0.0
        p95_ratio = r.percentile(95) / baseline.percentile(95) if baseline.latencies else 0.0
        print(
            f"{r.name:<28}{len(r.latencies):>9}{r.errors:>8}{r.rps:>9.0f}{r.percentile(50) * 1000:>9.1f}"
            f"{r.percentile(95) * 1000:>9.1f}{rps_ratio:>15.2f}x{p95_ratio:>13.1f}x"
        )
    for r in results:
        if r.errors:
            print(f"{r.name}: {r.errors} failed requests, the first: {r.first_error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint (default 2000)")
    parser.add_argument("--seconds", type=float, default=10, help="time limit per endpoint (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    args = parser.parse_args()

    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="eha-bench-") as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "EHA_CONFIG": "development", "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}"}
        env.pop("PORT", None)
        try:
            print(
                f"gunicorn as in gunicorn.conf.py, {args.clients} clients, "
                f"{args.requests} requests or {args.seconds:g}s per endpoint, over {HOST}"
            )
            run_flask(env, "db", "upgrade")
            demo = json.loads(run_flask(env, "demo", "--json"))
            users = demo["users"]
            user = next((u for u in users if u.get("role") == "practitioner"), users[0])
            password = os.environ.get("EHA_DEMO_PASSWORD", "demo-password-change-me")

            hello = Server("hello", "hello_app:app", env, tmp, extra=["--pythonpath", str(ROOT / "bench")])
            servers.append(hello)
            eha = Server("eha", "wsgi:app", env, tmp)
            servers.append(eha)
            hello.wait_until_serving("/")
            eha.wait_until_serving("/healthz")

            baseline = hammer("hello GET /", hello.port, "/", {}, args)
            hello.stop()
            results = [
                baseline,
                hammer("eha GET /sign-in", eha.port, "/sign-in", {}, args),
                hammer(
                    f"eha GET / ({user['role']})",
                    eha.port,
                    "/",
                    sign_in(eha.port, user["email"], password),
                    args,
                ),
            ]
            eha.stop()
            # The same page drawn on every request, as after a change (eha/page_cache.py keeps it otherwise).
            drawn = Server("eha-drawn", "wsgi:app", {**env, "EHA_PAGE_CACHE_SECONDS": "0"}, tmp)
            servers.append(drawn)
            drawn.wait_until_serving("/healthz")
            cookies = sign_in(drawn.port, user["email"], password)
            results.append(hammer(f"eha GET / ({user['role']}), drawn afresh", drawn.port, "/", cookies, args))
        except BenchError as error:
            print(f"http_bench: {error}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()
    print_table(results, baseline)
    return 1 if any(r.errors or not r.latencies for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
