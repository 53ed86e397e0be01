"""Browser tests against a real daphne server.

How to write one
----------------
::

    import pytest

    pytestmark = pytest.mark.e2e

    def test_guest_sees_rsvp(daphne_server, new_page, enter_as_household, household):
        page = new_page()                       # a fresh browser context + page
        enter_as_household(page, household)     # guest session cookie
        page.goto("/rsvp/")                     # relative to the server
        ...
        # Writes made in the test (services, factories, admin client) are
        # committed and published through the server's Redis, so they show up:
        services.guestbook_sign(wedding=..., household=household, ...)
        expect(page.locator("#live-guestbook_wall")).to_contain_text("...")

Fixtures
--------
* ``daphne_server`` (function scope, implies ``transactional_db``): the
  session's `DaphneServer` (`tests/e2e/servers.py`) — ``.url``, ``.ws_url``,
  ``.stop()``, ``.start()``, ``.restart(kill=False)``, ``.kill()``,
  ``.close_sockets(code)``, ``.open_sockets()``. It serves the *test database*
  of this pytest process (a file for SQLite, the per-process test database for
  PostgreSQL) and uses a private ``redis-server`` as its channel layer; for the
  duration of the test this process's own channel layer points at the same
  Redis, so ORM writes made in the test are pushed to the browser. A test that
  stopped the server gets it started again by the next test. The server's log
  (and the browser console) is attached to a failing test's report. The server
  runs `tests/e2e/asgi_test_app.py`: the product's application plus /static/
  (daphne alone serves none) and the switch behind ``close_sockets(code)``.
  ``expect()`` and page waits time out after 10 s.
* ``redis_server``: that private Redis (``.stop()``/``.start()``; never the
  machine's shared one).
* ``browser`` (session): headless Debian chromium driven by Playwright's sync API.
* ``new_context(**kw)`` / ``new_page(**kw)``: factories; contexts have
  ``base_url`` set to the server and are closed after the test. ``page`` is one
  ready page.
* ``login_planner(page_or_context, user)`` and
  ``enter_as_household(page_or_context, household)``: put a real session
  cookie (made in the shared test DB) into the browser context.

Playwright and Django in one thread
-----------------------------------
Playwright's sync API runs an asyncio loop in a greenlet and leaves that loop
marked as "running" in the test's thread between calls. Django then refuses ORM
calls (``SynchronousOnlyOperation``), ``async_to_sync`` (used by publishing)
refuses to run, and pytest-asyncio cannot start its own loop — also in every
later test of the session, because the browser is session-scoped. This
conftest patches Playwright's wait so the loop is marked running only while
Playwright itself runs (see ``_confine_playwright_loop``). So: use the ORM,
factories and services freely in browser tests, no ``DJANGO_ALLOW_ASYNC_UNSAFE``
needed, and mix them with async tests in one run.

Under ``CI=true`` a missing chromium, daphne or redis-server FAILS the test
(`tests.conftest.require_service`); locally it skips. CI installs chromium with
``apt-get update && apt-get install -y chromium`` and redis with
``apt-get install -y redis-server`` (the binary only; tests start their own).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Iterator

import greenlet
import pytest

from tests.conftest import TEST_PROCESS_APPLICATION_NAME, require_service
from tests.e2e.servers import (
    ALL_SERVERS,
    DaphneServer,
    RedisServer,
    TaskWorker,
    daphne_available,
    database_url,
    redis_server_binary,
)
from tests.integration.helpers import household_session_key, planner_session_key
from wedding.settings import redis_channel_layers

# Debian's Chromium, driven through Playwright's executable_path (`playwright install` cannot
# download browsers here). Its "old headless shell" build (package chromium-headless-shell, the
# same kind of binary Playwright itself runs for headless Chromium) is preferred when installed:
# it runs the browser tests with about a third less CPU than the full browser in headless mode
# (tests/e2e/test_guest_ui.py alone: 32 against 47 CPU-seconds). CHROMIUM=/path picks another.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = os.environ.get("CHROMIUM") or (HEADLESS_SHELL if os.path.exists(HEADLESS_SHELL) else "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
# Bounded waits everywhere: a live update that takes longer than this is a failure.
EXPECT_TIMEOUT_MS = 10_000

_playwright_loop: list = []  # the session's Playwright loop, once started


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


# --- Playwright's loop must not leak into Django code ----------------------------


def _step_out_of_loop(loop) -> None:
    """Back in test code: no loop is running, but Playwright's is the thread's current one.

    Some sync calls (e.g. `.on(event, ...)`) schedule work with
    `asyncio.ensure_future()` without waiting; with Playwright's loop as the
    current loop that work lands on it and runs at the next Playwright call.
    """
    asyncio._set_running_loop(None)
    asyncio.set_event_loop(loop)


def _confine_playwright_loop() -> None:
    """Mark Playwright's loop as running only while a Playwright call waits.

    `wait_for_future` switches to Playwright's dispatcher greenlet (which runs
    the loop) and, when the call is done, *sets* the loop as the thread's running
    loop for the caller. For the test's own (root) greenlet we set it before
    switching in and clear it afterwards, so Django and asgiref see a plain
    synchronous thread. Greenlets of Playwright's event handlers are left alone.
    """
    from playwright._impl import _greenlets, _sync_base

    original = _greenlets.wait_for_future
    if getattr(_sync_base.wait_for_future, "_confetti_confined", False):
        return

    def wait_for_future(loop, dispatcher_fiber, future):
        if greenlet.getcurrent().parent is not None:
            return original(loop, dispatcher_fiber, future)
        asyncio._set_running_loop(loop)
        try:
            return original(loop, dispatcher_fiber, future)
        finally:
            _step_out_of_loop(loop)

    wait_for_future._confetti_confined = True
    _sync_base.wait_for_future = wait_for_future


# --- reports: server logs and the browser console go into failing tests' reports ---------

from tests.integration.fixtures import _mark_log_offsets, pytest_runtest_makereport  # noqa: E402, F401

# --- servers -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    require_service("redis-server", redis_server_binary() is not None, "apt-get install -y redis-server")
    server = RedisServer(log_dir=str(tmp_path_factory.mktemp("redis")))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _daphne_session(django_db_setup, django_db_blocker, redis_server, tmp_path_factory) -> Iterator[DaphneServer]:
    require_service("daphne", daphne_available())
    from django.db import connection

    server = DaphneServer(
        database_url=database_url(connection.settings_dict),
        redis_url=redis_server.url,
        log_dir=str(tmp_path_factory.mktemp("daphne")),
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def daphne_server(transactional_db, settings, redis_server, _daphne_session, request) -> Iterator[DaphneServer]:
    """The running server, sharing this test's (committed) database and Redis layer."""
    if not redis_server.running:
        redis_server.start()
    if not _daphne_session.running:
        _daphne_session.start()
    # This process publishes its ORM writes through the same Redis as the server.
    settings.CHANNEL_LAYERS = redis_channel_layers(redis_server.url)
    request.node._confetti_log_offsets = {id(s): s.log_size() for s in list(ALL_SERVERS)}
    yield _daphne_session
    _end_server_sessions()


@pytest.fixture(scope="session")
def _worker_session(_daphne_session) -> Iterator[TaskWorker]:
    """The task worker beside the server (same database, Redis and environment), started when a test asks."""
    worker = TaskWorker(
        database_url=_daphne_session.database_url, redis_url=_daphne_session.redis_url,
        log_dir=str(_daphne_session.log_path.parent),
    )
    yield worker
    worker.stop()


@pytest.fixture
def task_worker(daphne_server, _worker_session) -> Iterator[TaskWorker]:
    """`manage.py messaging_worker` running for this test: photos' images, mail. Restarted if it died
    (ending the server's PostgreSQL sessions after a test ends its connection too)."""
    _worker_session.start()
    yield _worker_session
    # Stopped after the test: left running on the same test database, it took later tests' tasks
    # (tests/wedding/test_photos_worker.py run in this process found their photo claimed).
    _worker_session.stop()


def _end_server_sessions() -> None:
    """Before the test database is flushed (TRUNCATE on PostgreSQL): end the server's sessions.

    The browser's pages are closed by now, but the server may still be finishing a
    query for them (a socket's goodbye, the hub's version audit); that query's share
    locks against TRUNCATE's exclusive ones deadlocked the flush once in CI. The
    server opens a fresh connection for its next query. The test process's own sessions
    (its threads' connections, named in tests/conftest.py) are spared: ended under a
    thread that keeps its connection, they failed that process's later tests.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> %s",
            [TEST_PROCESS_APPLICATION_NAME],
        )


# --- browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright():
    require_service("chromium", chromium_available(), "apt-get install -y chromium")
    _confine_playwright_loop()
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    playwright = manager.start()
    _step_out_of_loop(manager._loop)  # start() leaves the loop marked running
    _playwright_loop.append(manager._loop)
    yield playwright
    _playwright_loop.clear()
    asyncio._set_running_loop(manager._loop)  # stop() resumes the dispatcher inside the loop
    try:
        playwright.stop()
    finally:
        asyncio._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _playwright_loop_is_current():
    """An async test (pytest-asyncio) in between resets the current loop; restore it."""
    if _playwright_loop:
        asyncio.set_event_loop(_playwright_loop[0])
    yield


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, daphne_server, request) -> Iterator[Callable]:
    """Factory: `new_context(**playwright_kwargs)` → a BrowserContext on the server."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    contexts = []
    console = request.node._confetti_console

    def make(**kwargs):
        kwargs.setdefault("base_url", daphne_server.url)
        context = browser.new_context(**kwargs)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        context.on(
            "console",
            lambda msg: console.append(f"[{msg.type}] {msg.page.url if msg.page else ''} {msg.text}"),
        )
        context.on("weberror", lambda err: console.append(f"[pageerror] {err.error}"))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - the browser may already be gone at teardown
            pass


@pytest.fixture
def new_page(new_context) -> Callable:
    """Factory: `new_page(**context_kwargs)` → a Page in its own (cookie-isolated) context."""

    def make(**kwargs):
        return new_context(**kwargs).new_page()

    return make


@pytest.fixture
def page(new_page):
    return new_page()


# --- principals ----------------------------------------------------------------------


def _context_of(target):
    return getattr(target, "context", target)  # a Page has .context; a BrowserContext is itself


def _set_session_cookie(target, session_key: str, server: DaphneServer) -> None:
    from django.conf import settings

    _context_of(target).add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_key,
                "url": server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


@pytest.fixture
def login_planner(daphne_server) -> Callable:
    """`login_planner(page_or_context, user)`: the browser is logged in as that planner."""

    def login(target, user) -> None:
        _set_session_cookie(target, planner_session_key(user), daphne_server)

    return login


@pytest.fixture
def enter_as_household(daphne_server) -> Callable:
    """`enter_as_household(page_or_context, household)`: the browser is that household's guest."""

    def enter(target, household) -> None:
        _set_session_cookie(target, household_session_key(household), daphne_server)

    return enter
