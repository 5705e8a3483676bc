"""Gunicorn settings shared by `make run` and bench/http_bench.py, so the benchmark
measures the app served exactly as people run it. The bind address is given on the
command line (127.0.0.1 only)."""

workers = 2
accesslog = "-"
# Query strings are left out of the log: a search can hold a child's name.
access_log_format = '%(t)s %(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# gunicorn 27's control socket has one default path per user, which a second server
# (a benchmark next to `make run`) would take over; nothing here uses it.
control_socket_disable = True


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR (eha/observability.py), drop a dead worker's live gauges from /metrics."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

        GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)


def post_worker_init(worker):
    """Warm the worker's caches before it takes requests (eha/warmup.py): a new worker's first requests would
    otherwise wait about a second for them."""
    from eha.warmup import warm_up

    warm_up(worker.wsgi)
