"""gunicorn settings for production (``make serve``); each can be overridden from the environment.

Workers are separate processes; the app keeps no state in them (sessions are signed cookies,
answers go straight to the database), so any number of them — on any number of hosts — can
serve the same database. See ``docs/deployment.md``.
"""
import multiprocessing
import os

#: Production runs behind HTTPS: the session cookie is sent over HTTPS only, unless the
#: environment says otherwise (``SESSION_COOKIE_SECURE=false`` for a plain-HTTP test on loopback).
os.environ.setdefault("SESSION_COOKIE_SECURE", "true")

#: Address to listen on; behind a reverse proxy, keep it on the loopback interface.
bind = os.environ.get("BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
#: Synchronous workers: 2 per CPU core plus one, unless WEB_CONCURRENCY says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
#: A request that takes longer is stuck: the worker is replaced (its transaction rolls back).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
#: Replace workers now and then, so that a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
#: Load the app before forking: a broken configuration fails at start, not on the first request.
preload_app = True
#: Logs go to standard output and error (the service manager collects them). The access log
#: names the path without its query string and no client address: nothing in it leads back
#: to a resident.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
#: Behind a reverse proxy on the same host: trust its X-Forwarded-* headers only from there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
