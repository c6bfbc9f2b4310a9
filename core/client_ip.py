"""The client's address as the login throttle (django-axes) sees it.

Behind a reverse proxy every request comes from the proxy's address, so throttling by it would lock
out everyone at once. Each proxy appends the address it received the request from to
X-Forwarded-For; with LEG_TRUSTED_PROXIES proxies in front, the client is the entry that many places
from the right. Entries further left were written by the client itself and are ignored: anyone can
send an X-Forwarded-For header to pose as another address.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    proxies = settings.LEG_TRUSTED_PROXIES
    remote_addr = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote_addr
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < proxies:
        # Not through the expected chain (a health check straight to gunicorn): the peer itself.
        return remote_addr
    return forwarded[-proxies]
