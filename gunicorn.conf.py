"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment, so the same file serves a
small VPS and a larger host. The app writes its own one-line JSON log per
request (see outreach/request_log.py), so gunicorn's access log stays off.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let a worker wait on PostgreSQL for one request while serving
# another; processes use the other cores.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Long enough for the largest export to stream; a stuck worker is still replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never reaches production memory limits.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = 500
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The TLS proxy in front is the only client; its X-Forwarded-* headers are
# trusted by the app itself (TRUSTED_PROXY_COUNT), not by gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Each worker imports the app itself, so no database connection is ever shared
# across a fork.
preload_app = False
