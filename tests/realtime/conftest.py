"""Fixtures for the delivery side: test regions, a clean hub per test, socket helpers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.http import Http404

from realtime import hub as hub_module
from realtime import regions
from realtime.regions import Audience, Viewer
from tests import factories

TEMPLATES = Path(__file__).parent / "templates"
ORIGIN = (b"origin", b"http://testserver")


def _guests(viewer: Viewer):
    from guests.models import Guest

    return Guest.objects.for_wedding(viewer.wedding).select_related("household").order_by("pk")


def planner_guests(viewer: Viewer) -> dict:
    return {"guests": list(_guests(viewer))}


def directory(viewer: Viewer) -> dict:
    return {"guests": list(_guests(viewer).filter(directory_opt_in=True))}


def my_household(viewer: Viewer) -> dict:
    if viewer.household is None:
        raise Http404("no household")
    return {"guests": list(_guests(viewer).filter(household=viewer.household))}


def songs(viewer: Viewer) -> dict:
    from wedding.songs.models import SongRequest

    return {"count": SongRequest.objects.for_wedding(viewer.wedding).count()}


TEST_REGIONS = [
    dict(name="t_planner_guests", audience=Audience.PLANNER, topics={"guest"},
         template="live_tests/regions.html#planner_guests", context=planner_guests),
    dict(name="t_directory", audience=Audience.GUESTS, topics={"guest"},
         template="live_tests/regions.html#directory", context=directory),
    dict(name="t_my_household", audience=Audience.HOUSEHOLD, topics={"guest"},
         template="live_tests/regions.html#my_household", context=my_household),
    dict(name="t_songs", audience=Audience.GUESTS, topics={"song"},
         template="live_tests/regions.html#songs", context=songs),
]


@pytest.fixture(autouse=True)
def _test_regions():
    """The delivery tests' own regions, registered only while they run (tests that walk
    the registry — every product region escapes markup… — must not meet them)."""
    for spec in TEST_REGIONS:
        regions.register(spec["name"], **{k: v for k, v in spec.items() if k != "name"})
    yield
    for spec in TEST_REGIONS:
        regions.unregister(spec["name"])


@pytest.fixture
def live_settings(settings):
    """Test regions' templates, only the live URLs, in-memory layer, no counter files."""
    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATES]
    settings.TEMPLATES = templates
    settings.REALTIME_HUB_STATS = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast factories
    settings.ROOT_URLCONF = "tests.realtime.urls"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
async def fresh_hub():
    """The process hub of this test's loop; shut down afterwards (each test has its own loop)."""
    hub_module.install(None)
    yield
    hub = hub_module.current_hub()
    if hub is not None:
        await hub.shutdown()
    hub_module.install(None)


def session_cookie(client) -> tuple[bytes, bytes]:
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def planner_cookie(user) -> tuple[bytes, bytes]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return session_cookie(client)


def household_cookie(household) -> tuple[bytes, bytes]:
    from django.contrib.sessions.backends.db import SessionStore

    from guests.session import SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    session.create()
    return (b"cookie", f"sessionid={session.session_key}".encode())


def application():
    from wedding.asgi import application as app

    return app


async def open_socket(cookie, wedding_id, *, regions_=(), version=0, origin=ORIGIN, hello=True):
    """A connected socket that said hello; returns (communicator, welcome)."""
    headers = [origin, cookie] if cookie else [origin]
    communicator = WebsocketCommunicator(application(), f"/ws/live/?wedding={wedding_id}", headers=headers)
    connected, code = await communicator.connect(timeout=5)
    assert connected, code
    if not hello:
        return communicator, None
    await communicator.send_json_to({"t": "hello", "v": version, "regions": list(regions_)})
    welcome = await communicator.receive_json_from(timeout=5)
    return communicator, welcome


async def frames(communicator, *, timeout: float = 0.6, expect: Iterable[str] = (), at_least: int = 0,
                 within: float = 10) -> list[dict]:
    """Every frame that arrives until `timeout` seconds pass without one.

    With `expect` (or `at_least`), a quiet spell ends the wait only once every expected
    string has arrived in the updates' HTML (and that many frames have arrived), or
    `within` seconds have passed (the caller's assertion then fails): on a loaded
    machine a render can take longer than `timeout`.
    (receive_nothing() first: a timed-out receive would cancel the application.)
    """
    out: list[dict] = []
    deadline = time.monotonic() + within
    while True:
        while not await communicator.receive_nothing(timeout=timeout, interval=0.01):
            out.append(await communicator.receive_json_from())
        html = html_of(out)
        if (all(text in html for text in expect) and len(out) >= at_least) or time.monotonic() >= deadline:
            return out


async def closed_code(communicator, timeout: float = 3) -> int | None:
    """The code the server closed with (None if it stays open for `timeout`); frames are skipped."""
    while not await communicator.receive_nothing(timeout=timeout, interval=0.01):
        output = await communicator.receive_output()
        if output["type"] == "websocket.close":
            return output.get("code")
    return None


def html_of(frame_list: list[dict]) -> str:
    return "".join(r["html"] for f in frame_list if f.get("t") == "update" for r in f["regions"])


def run(fn):
    """Run a sync ORM write in a thread (it commits, and publishes after commit)."""
    return database_sync_to_async(fn)()


def dumps(data) -> str:
    return json.dumps(data)


async def version_of(wedding) -> int:
    """The wedding's committed version (what a page rendered now would embed)."""
    from wedding.core.models import Wedding

    return await run(lambda: Wedding.objects.get(pk=wedding.pk).version)


__all__ = ["factories"]
