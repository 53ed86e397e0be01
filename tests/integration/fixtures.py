"""Fixtures shared by the real-server suites (integration, stress, e2e).

A conftest uses them with `from tests.integration.fixtures import *  # noqa: F403`.
Server logs (daphne, redis) of every server alive during a failing test are
attached to its report; the wire-level client is `tests/integration/live_client.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import require_service
from tests.e2e.servers import (
    ALL_SERVERS,
    DaphneServer,
    RedisServer,
    daphne_available,
    database_url,
    redis_server_binary,
)
from tests.integration.live_client import LiveClient

__all__ = [
    "pytest_runtest_makereport",
    "_mark_log_offsets",
    "postgres_db",
    "private_redis",
    "make_daphne",
    "live_clients",
    "require_postgres",
    "require_redis_server",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    offsets = getattr(item, "_confetti_log_offsets", {})
    for server in list(ALL_SERVERS):
        tail = server.log_tail(since=offsets.get(id(server), 0), limit=8_000)
        if tail.strip():
            report.sections.append((f"{server.name} :{server.port} log", tail))
    console = getattr(item, "_confetti_console", None)
    if console:
        report.sections.append(("browser console", "\n".join(console[-200:])))


@pytest.fixture(autouse=True)
def _mark_log_offsets(request):
    request.node._confetti_log_offsets = {id(s): s.log_size() for s in list(ALL_SERVERS)}
    request.node._confetti_console = []
    yield


def require_postgres() -> None:
    from django.db import connection

    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres",
    )


def require_redis_server() -> None:
    require_service("redis-server", redis_server_binary() is not None, "apt-get install -y redis-server")


@pytest.fixture
def postgres_db(transactional_db) -> None:
    """Committed data on the real PostgreSQL test DB (shared with server processes)."""
    require_postgres()


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory) -> Iterator[RedisServer]:
    """A redis-server of this module only: stop/start it at will (never the shared 6379)."""
    require_redis_server()
    server = RedisServer(log_dir=str(tmp_path_factory.mktemp("redis")))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def make_daphne(django_db_setup, tmp_path_factory) -> Iterator[Callable[..., DaphneServer]]:
    """Factory: `make_daphne(redis_url=..., **kw)` → a started DaphneServer on the test DB.

    Every server made is stopped at the end of the module.
    """
    require_service("daphne", daphne_available())
    from django.db import connection

    made: list[DaphneServer] = []
    log_dir = str(tmp_path_factory.mktemp("daphne"))

    def make(**kwargs) -> DaphneServer:
        kwargs.setdefault("log_dir", log_dir)
        server = DaphneServer(database_url=database_url(connection.settings_dict), **kwargs)
        made.append(server)
        server.start()
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def live_clients() -> Iterator[Callable[..., LiveClient]]:
    """Factory for `LiveClient`s, all closed after the test."""
    clients: list[LiveClient] = []

    def make(*args, **kwargs) -> LiveClient:
        client = LiveClient(*args, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
