"""The services the suite runs on are the ones configured, not an embedded stand-in."""

from django.conf import settings
from django.db import connection

from tests.integration.conftest import probe_rabbitmq, unavailable


def test_database_is_mariadb_with_utf8mb4(db):
    # P-33: the suite proves behaviour on the database Open edX runs (MySQL family).
    assert connection.vendor == "mysql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION(), @@character_set_database")
        version, charset = cursor.fetchone()
    assert "mariadb" in version.lower() or version[0].isdigit()
    assert charset == "utf8mb4"


def test_broker_and_cache_are_redis():
    from django.core.cache import cache

    assert settings.BROKER_URL.startswith("redis://")
    cache.set("elearn-it-probe", "值", 30)
    assert cache.get("elearn-it-probe") == "值"
    cache.delete("elearn-it-probe")


def test_rabbitmq_optional_broker_answers():
    reason = probe_rabbitmq()
    if reason:
        unavailable(f"optional broker: {reason}")
    from kombu import Connection

    with Connection("amqp://guest:guest@127.0.0.1:5672//", connect_timeout=3) as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected
