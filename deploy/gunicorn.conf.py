# gunicorn settings for Shaobao: `gunicorn -c deploy/gunicorn.conf.py config.wsgi:application`.
# Command-line options override these (bench/intake/run.sh does, to try several shapes).
# Every value can also be set from the environment (GUNICORN_*), so one file serves all hosts.
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 10
keepalive = 5  # the reverse proxy and API clients reuse connections
# A worker is recycled now and then so that a slow leak cannot grow without bound; the jitter
# keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")


def post_worker_init(worker):
    """Load what the first requests of each worker would otherwise pay for (1–1.5 s): the active
    router model (the operator's live suggestions, hotline and web intake) and the district
    outlines. Open311 intake no longer routes in the request (demands.intake does), but the
    operator's screens still do. Failures are logged, never fatal: a worker without a model
    loads it on first use, as before."""
    try:
        from django.db import connections

        from shaobao.duties.routing import active_model

        active_model()
        connections.close_all()  # each thread opens its own when it needs one
    except Exception:  # noqa: BLE001 — warming is an optimisation
        worker.log.exception("warming the router model failed")
