"""``GET /healthz`` for load balancers: the database answers and the MQTT broker accepts a connection."""

import socket

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .mqtt import broker_from_url


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def _broker() -> bool:
    try:
        broker = broker_from_url(settings.LEG_MQTT_URL)
        socket.create_connection((broker.host, broker.port), timeout=1).close()
        return True
    except (OSError, ValueError):
        return False


@require_GET
def healthz(request):
    checks = {"database": _database()}
    if settings.LEG_HEALTHZ_BROKER:
        checks["broker"] = _broker()
    healthy = all(checks.values())
    body = {name: "ok" if ok else "unreachable" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if healthy else 503)
