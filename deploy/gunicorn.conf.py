"""gunicorn settings for the portal: `gunicorn -c deploy/gunicorn.conf.py`.

Everything an operator may want to change comes from the environment:

- `WEB_CONCURRENCY`: worker processes (default: 2 per CPU core, plus one);
- `BIND` (e.g. `127.0.0.1:8000` or `unix:/run/portal/web.sock`), else `PORT`
  (listens on every interface, as platforms that set PORT expect), else
  127.0.0.1:8000;
- `GUNICORN_TIMEOUT`: seconds a request may take before its worker is replaced
  (default 60: PDFs are built by task workers, not in requests);
- `FORWARDED_ALLOW_IPS`: addresses of the proxies whose X-Forwarded-* headers are
  believed (default: this machine only);
- `GUNICORN_LOG_LEVEL`: gunicorn's own messages (default info).

Requests are logged by the portal itself (`portal.requests`, one JSON line each,
with the request id and the user), so gunicorn's access log is off.
"""

import multiprocessing
import os

wsgi_app = "portal.wsgi:application"

if os.environ.get("BIND"):
    bind = [os.environ["BIND"]]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Behind a proxy that keeps connections open; short, so idle ones free workers.
keepalive = 5

# A worker is replaced after this many requests (the jitter keeps them from all
# restarting at once), which bounds any slow growth in memory.
max_requests = 1000
max_requests_jitter = 100

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own messages as JSON lines too, like the portal's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {
            "handlers": ["console"],
            "level": loglevel.upper(),
            "propagate": False,
        },
        "gunicorn.access": {"handlers": [], "propagate": False},
        # "No .env file" while the settings load: expected in production.
        "environ.environ": {"level": "WARNING"},
    },
}

# Worker heartbeats in memory, not on a disk that may stall (a directory of
# gunicorn's own files, not a shared temporary file).
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# No control socket (gunicorn 25+): nothing here uses it.
control_socket_disable = True
