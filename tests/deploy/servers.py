"""Starting eha as a council runs it, on loopback: gunicorn app servers and Debian's nginx in front of them."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before {url} answered")
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds}s")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_app_server(port, env, log_path):
    """gunicorn with the project's gunicorn.conf.py (two workers), as `make run` and systemd start it."""
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=log,
        stderr=log,
    )
    wait_for(f"http://127.0.0.1:{port}/healthz", process)
    return process


NGINX_CONF = """\
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}
}}
"""


def nginx_site(port, upstreams):
    """The site, as deploy/nginx/eha.conf has it, but on loopback without TLS and naming the upstream that
    answered (X-Upstream) so the test can see both servers at work."""
    servers = "\n".join(f"        server {address};" for address in upstreams)
    return f"""\
    upstream eha {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location = /metrics {{ return 404; }}
        location / {{
            proxy_pass http://eha;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-ID $request_id;
            add_header X-Upstream $upstream_addr always;
        }}
    }}"""


def nginx_binary():
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def start_nginx(prefix, port, upstreams):
    prefix = Path(prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""  # its workers must read and write the test's own folder
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, prefix=prefix, site=nginx_site(port, upstreams)))
    process = subprocess.Popen(
        [nginx_binary(), "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=open(prefix / "stderr.log", "ab"),
    )
    wait_for(f"http://127.0.0.1:{port}/healthz", process)
    return process
