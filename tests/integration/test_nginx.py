"""The deployment in `deploy/`, run for real (issue 19): nginx in front of two daphne processes
and the task worker, with PostgreSQL and Redis, every process in production mode (DEBUG off,
`collectstatic` output served by nginx).

- A planner's change made through one daphne process reaches a guest socket that nginx
  connected to the other.
- Static files and a guest's multi-megabyte photo upload go through nginx
  (`client_max_body_size`), and the photo is served back from MEDIA_ROOT by nginx.
- Uploads go to the daphne process kept for them, the gallery page to the page processes;
  with the upload process down, an upload goes to a page process and still succeeds.
- The worker of the deployment delivers a message the planner sends.
- A browser goes through nginx; the daphne process holding its socket is killed; changes
  made after the kill all appear on the page, which reconnects through nginx to the other.
"""

from __future__ import annotations

import io
import json
import os
import re
import time

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from realtime.stats import STATS_KEY
from tests import factories
from tests.conftest import require_service
from tests.e2e.conftest import (  # the session's headless chromium, shared with the browser tests
    _playwright,  # noqa: F401
    _playwright_loop_is_current,  # noqa: F401
    browser,  # noqa: F401
)
from tests.e2e.servers import PRODUCT_ASGI_APP, database_url
from tests.integration.deployment import (
    NginxServer,
    WorkerProcess,
    collected_static_root,
    nginx_binary,
    photo_root_for,
    production_env,
)
from tests.integration.fixtures import require_postgres
from tests.integration.helpers import household_session_key, planner_session_key
from tests.messaging.smtp import SmtpServer
from wedding.core.models import Moderation, Wedding
from wedding.guestbook.models import GuestbookEntry
from wedding.photos.models import Photo

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]

WALL = [{"name": "guestbook_wall", "params": {}}]
WALL_ID = "live-guestbook_wall"
# Any 32 letters: Django accepts an unmasked secret as token. The cookie is sent by hand because
# with DEBUG off it is `Secure`, and an HTTP client would not send it over plain HTTP.
CSRF_SECRET = "ConfettiDeploymentTestCsrfSecret"


# --- the deployment --------------------------------------------------------------------


@pytest.fixture(scope="module")
def deployment(private_redis, make_daphne, tmp_path_factory):
    """(nginx, [daphne A, daphne B], worker, smtp, media root, upload daphne): started once for the
    module, in production mode."""
    require_service("nginx", nginx_binary() is not None, "apt-get install -y nginx")
    require_postgres()  # module fixtures start before the tests' own `postgres_db`
    from django.db import connection

    root = tmp_path_factory.mktemp("deployment")
    static_root, media_root = collected_static_root(), root / "media"
    media_root.mkdir()
    env = production_env(static_root=static_root, media_root=media_root)

    smtp = SmtpServer().start()
    pair = [make_daphne(redis_url=private_redis.url, app=PRODUCT_ASGI_APP, extra_env=env) for _ in range(2)]
    uploader = make_daphne(redis_url=private_redis.url, app=PRODUCT_ASGI_APP, extra_env=env)
    worker = WorkerProcess(
        env={
            **env, "DATABASE_URL": database_url(connection.settings_dict), "REDIS_URL": private_redis.url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), "MESSAGING_RETRY_BASE_SECONDS": "0",
        },
        log_dir=str(root),
    )
    worker.start()
    nginx = NginxServer(
        upstream_ports=(pair[0].port, pair[1].port), upload_port=uploader.port, static_root=static_root,
        media_root=media_root, workdir=root / "nginx",
    )
    nginx.start()
    yield nginx, pair, worker, smtp, media_root, uploader
    nginx.stop()
    worker.stop()
    smtp.stop()


@pytest.fixture
def servers(postgres_db, deployment, settings, private_redis):
    """The running deployment; this process publishes its own writes through the same Redis.

    Its processes are started again when a test left one down (as systemd restarts them), and
    after the test the worker's queue is let run dry: the test's database is emptied next, and
    a task row deleted under the worker as it finishes the task stops the worker."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from wedding.settings import redis_channel_layers

    nginx, pair, worker, smtp, media_root, uploader = deployment
    for process in (*pair, uploader, worker):
        if not process.running:
            process.start()
    settings.CHANNEL_LAYERS = redis_channel_layers(private_redis.url)
    yield deployment
    deadline = time.monotonic() + 30
    unfinished = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    while DBTaskResult.objects.filter(status__in=unfinished).exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def socket_holder(redis_url: str, pair, *, since: float, timeout: float = 15.0):
    """The daphne process of `pair` that reports an open socket (realtime_status's counters)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline, reports = time.monotonic() + timeout, []
    try:
        while time.monotonic() < deadline:
            reports = [json.loads(raw) for raw in client.hgetall(STATS_KEY).values()]
            for server in pair:
                if any(r["pid"] == server.pid and r["sockets"] > 0 and r["updated_at"] > since for r in reports):
                    return server
            time.sleep(0.2)
    finally:
        client.close()
    raise AssertionError(f"no daphne process of {[s.pid for s in pair]} reported the socket: {reports}")


def planner_post(server_url: str, path: str, *, session_key: str, data: dict) -> httpx.Response:
    headers = {"Cookie": f"sessionid={session_key}; csrftoken={CSRF_SECRET}", "X-CSRFToken": CSRF_SECRET}
    return httpx.post(f"{server_url}{path}", data=data, headers=headers, timeout=10)


def approve(server, entry: GuestbookEntry, planner) -> None:
    """The planner approves a guestbook entry in the admin of `server` (one daphne process)."""
    response = planner_post(
        server.url, f"/admin/guestbook/guestbookentry/{entry.pk}/moderate/",
        session_key=planner_session_key(planner), data={"status": Moderation.APPROVED},
    )
    assert response.status_code == 200, response.text[:500]


def answered_by(nginx, method: str, path: str, *, before: int, timeout: float = 5.0) -> list[str]:
    """The daphne addresses nginx logged for the first `method path` after the `before` it had
    logged (several when it moved on to another), waiting for nginx, which logs just after it answers."""
    deadline = time.monotonic() + timeout
    while len(logged := nginx.upstreams(method, path)) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(logged) > before, f"nginx logged no new {method} {path}"
    return logged[before].split(", ")


def noise_jpeg(size: tuple[int, int]) -> bytes:
    """A phone-like JPEG: noise does not compress, so quality 95 gives about 2 MB per megapixel."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format="JPEG", quality=95,
                                                                         subsampling=0)
    return buffer.getvalue()


def upload_photo(nginx, household, photo: bytes, *, caption: str) -> httpx.Response:
    """A guest's phone posts one photo to the gallery through nginx."""
    cookies = f"sessionid={household_session_key(household)}; csrftoken={CSRF_SECRET}"
    return httpx.post(
        f"{nginx.url}/photos/", headers={"Cookie": cookies, "X-CSRFToken": CSRF_SECRET},
        data={"csrfmiddlewaretoken": CSRF_SECRET, "caption": caption},
        files={"photos": ("IMG_2001.jpg", photo, "image/jpeg")}, timeout=30,
    )


def moderated_wedding():
    planner = factories.UserFactory()
    wedding = factories.WeddingFactory(guestbook_moderation=True, planners=[planner])
    household = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family", email="ruiz@test.example")
    factories.GuestFactory.create_batch(2, household=household)
    return wedding, household, planner


def pending(wedding, message: str) -> GuestbookEntry:
    return factories.GuestbookEntryFactory(wedding=wedding, message=message, status=Moderation.PENDING)


# --- tests -------------------------------------------------------------------------------


def test_planner_change_on_one_process_reaches_a_guest_socket_nginx_put_on_the_other(
    servers, private_redis, live_clients
):
    nginx, pair, _worker, _smtp, _media, _uploader = servers
    wedding, household, planner = moderated_wedding()
    entry = pending(wedding, "across-the-proxy-first-dance")
    connected_at = time.time()
    watcher = live_clients(nginx.ws_url, wedding_id=wedding.pk, cookie=household_session_key(household), regions=WALL)
    welcome = watcher.connect(version=wedding.version)
    assert welcome and welcome["regions"] == [WALL_ID], (welcome, watcher.closes, watcher.rejected)

    holder = socket_holder(private_redis.url, pair, since=connected_at)
    other = pair[1] if holder is pair[0] else pair[0]
    approve(other, entry, planner)

    watcher.wait_for(lambda c: "across-the-proxy-first-dance" in c.html(WALL_ID), timeout=5)
    assert watcher.version == Wedding.objects.get(pk=wedding.pk).version


def test_static_files_and_a_large_photo_upload_go_through_nginx(servers):
    nginx, pair, _worker, _smtp, media_root, uploader = servers
    wedding, household, _planner = moderated_wedding()
    cookies = f"sessionid={household_session_key(household)}; csrftoken={CSRF_SECRET}"

    gets = len(nginx.upstreams("GET", "/photos/"))
    page = httpx.get(f"{nginx.url}/photos/", headers={"Cookie": cookies}, timeout=10)
    assert page.status_code == 200, page.text[:500]
    # collectstatic's hashed names, served by nginx from STATIC_ROOT.
    script = re.search(r'src="(/static/realtime/live\.[0-9a-f]{12}\.js)"', page.text)
    assert script, "the page should link live.js by its collected, hashed name"
    static = httpx.get(f"{nginx.url}{script.group(1)}", timeout=10)
    assert static.status_code == 200 and "immutable" in static.headers["cache-control"]
    assert b"live" in static.content

    # A phone photo well over nginx's default body limit (1 MB): client_max_body_size lets it in.
    photo = noise_jpeg((1400, 1000))
    assert len(photo) > 2 * 1024 * 1024
    posts = len(nginx.upstreams("POST", "/photos/"))
    response = upload_photo(nginx, household, photo, caption="from the dance floor")
    assert response.status_code == 302, response.text[:500]
    # The upload went to the daphne process kept for uploads, the gallery page to a page process.
    assert answered_by(nginx, "POST", "/photos/", before=posts) == [f"127.0.0.1:{uploader.port}"]
    assert answered_by(nginx, "GET", "/photos/", before=gets)[0] in {f"127.0.0.1:{server.port}" for server in pair}
    # The deployment's worker makes the image from the stored original, off the request path.
    deadline = time.monotonic() + 30
    while not (photo := Photo.objects.get(wedding=wedding)).image and time.monotonic() < deadline:
        time.sleep(0.1)
    assert photo.image and photo.thumbnail and not photo.original, "the worker did not make the photo's image"
    stored = photo_root_for(media_root) / photo.image.name
    assert stored.is_file() and not (media_root / photo.image.name).exists()
    # Not public: nginx's media folder does not have it, and the photo view refuses it until approved.
    assert httpx.get(f"{nginx.url}/media/{photo.image.name}", timeout=10).status_code == 404
    if photo.status != "approved":
        assert httpx.get(f"{nginx.url}{photo.image.url}", headers={"Cookie": cookies}, timeout=10).status_code == 404
        Photo.objects.filter(pk=photo.pk).update(status="approved")
    # Approved: the view says yes, nginx sends the bytes from the private folder (X-Accel-Redirect).
    served = httpx.get(f"{nginx.url}{photo.image.url}", headers={"Cookie": cookies}, timeout=10)
    assert served.status_code == 200 and served.content == stored.read_bytes()
    assert "x-accel-redirect" not in {k.lower() for k in served.headers}
    assert Image.open(io.BytesIO(served.content)).size == (1400, 1000)


def test_with_the_upload_process_down_an_upload_goes_to_a_page_process(servers):
    nginx, pair, _worker, _smtp, _media, uploader = servers
    wedding, household, _planner = moderated_wedding()
    uploader.stop()  # a restart, or a crash: nothing listens on its port (the fixture starts it again)

    posts = len(nginx.upstreams("POST", "/photos/"))
    response = upload_photo(nginx, household, noise_jpeg((400, 300)), caption="while the upload process restarts")
    assert response.status_code == 302, response.text[:500]
    # nginx found nothing on the upload port (or had marked it down) and used a page process, its backup.
    tried = answered_by(nginx, "POST", "/photos/", before=posts)
    assert tried[-1] in {f"127.0.0.1:{server.port}" for server in pair}, tried
    assert set(tried[:-1]) <= {f"127.0.0.1:{uploader.port}"}, tried
    assert Photo.objects.get(wedding=wedding).caption == "while the upload process restarts"


def test_the_deployments_worker_delivers_a_message(servers):
    from wedding.messaging import services
    from wedding.messaging.models import Message

    _nginx, _pair, _worker, smtp, _media, _uploader = servers
    wedding, household, planner = moderated_wedding()
    message = factories.MessageFactory(wedding=wedding, subject="Save the date, {{ household }}")
    queued = services.message_send(message=message, user=planner)  # the household and each guest
    assert queued >= 1

    deadline = time.monotonic() + 30
    while len(smtp.handler.arrived) < queued and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(smtp.handler.arrived) == queued
    assert {a.subject for a in smtp.handler.arrived} == {"Save the date, The Ruiz family"}
    assert smtp.handler.to("ruiz@test.example")
    deadline = time.monotonic() + 10
    while Message.objects.get(pk=message.pk).status != "sent" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Message.objects.get(pk=message.pk).status == "sent"


def test_browser_through_nginx_reconnects_to_the_other_process_when_its_own_is_killed(
    servers, private_redis, browser  # noqa: F811
):
    nginx, pair, _worker, _smtp, _media, _uploader = servers
    wedding, household, planner = moderated_wedding()
    entries = [pending(wedding, f"after-the-kill-{n}") for n in range(3)]
    context = browser.new_context(base_url=nginx.url)
    context.set_default_timeout(10_000)
    try:
        context.add_cookies([{"name": "sessionid", "value": household_session_key(household), "url": nginx.url,
                              "httpOnly": True, "sameSite": "Lax"}])
        page = context.new_page()
        connected_at = time.time()
        page.goto("/guestbook/")
        status = page.locator("#live-status")
        expect(status).to_have_attribute("data-state", "live", timeout=10_000)

        holder = socket_holder(private_redis.url, pair, since=connected_at)
        survivor = pair[1] if holder is pair[0] else pair[0]
        holder.kill()  # a crash: no goodbye to the browser beyond the TCP close
        killed_at = time.monotonic()
        # Changes made right after the kill, while the page has no socket or is reconnecting.
        for entry in entries:
            approve(survivor, entry, planner)

        wall = page.locator(f"#{WALL_ID}")
        for entry in entries:
            expect(wall).to_contain_text(entry.message, timeout=15_000)
        expect(status).to_have_attribute("data-state", "live", timeout=15_000)
        print(f"kill → the page shows every change made after it, live again: {time.monotonic() - killed_at:.1f} s")
        # The page's socket is now held by the survivor, through nginx.
        assert socket_holder(private_redis.url, [survivor], since=time.time()) is survivor
        survivor_post = pending(wedding, "once-reconnected")
        approve(survivor, survivor_post, planner)
        expect(wall).to_contain_text("once-reconnected", timeout=5_000)
    finally:
        context.close()
