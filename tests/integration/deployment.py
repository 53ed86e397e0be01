"""The deployment of `deploy/` as real processes: nginx in front of daphne processes, the worker.

`NginxServer` runs Debian's nginx unprivileged (its own prefix, pid and temp
folders in a temp dir, a free 127.0.0.1 port) with the site config shipped in
`deploy/nginx/confetti.conf`, only its ports and paths substituted, so the file
operators install is the file under test. `WorkerProcess` is
`manage.py messaging_worker`. Both keep a log that failing tests get attached,
like the daphne and redis servers of `tests/e2e/servers.py`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.servers import BASE_DIR, DaphneServer, TaskWorker, _Process

SITE_CONF = BASE_DIR / "deploy" / "nginx" / "confetti.conf"
# What the shipped site config names, and the test replaces.
UPSTREAMS = ("127.0.0.1:8001", "127.0.0.1:8002")  # the page processes (and the uploads' backups)
UPLOAD_UPSTREAM = "127.0.0.1:8011"  # the upload process
LISTEN = "listen 80;"
STATIC_ALIAS = "/srv/confetti/staticfiles/"
MEDIA_ALIAS = "/srv/confetti/media/"
PHOTO_ALIAS = "/srv/confetti/private_media/"
PHOTO_ACCEL_PREFIX = "/private-photos/"


def photo_root_for(media_root: Path) -> Path:
    """Photos live beside the public media folder, never inside it (nginx serves MEDIA_ROOT to anyone)."""
    return media_root.parent / "private_media"

def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def production_env(*, static_root: Path, media_root: Path) -> dict[str, str]:
    """Environment of the deployed processes: DEBUG off, collected static files, behind a proxy.

    They share the test process's SECRET_KEY, which signs the sessions the tests create.
    """
    from django.conf import settings

    return {
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # the test's nginx speaks plain HTTP
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_PROXY": "true",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        # Photos: served by the photo view, which checks moderation and the viewer, then hands the
        # bytes to nginx's internal location (X-Accel-Redirect).
        "PHOTO_ROOT": str(photo_root_for(media_root)),
        "PHOTO_ACCEL_PREFIX": PHOTO_ACCEL_PREFIX,
    }


def collectstatic(env: dict[str, str], log: Path) -> None:
    """`manage.py collectstatic` as a deploy runs it (hashed, compressed copies in STATIC_ROOT)."""
    with log.open("ab") as out:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=BASE_DIR, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=300,
        )


def collected_static_root() -> Path:
    """One production `collectstatic` per test run, shared by the tests that read its output (the
    nginx deployment, WhiteNoise's production serving): it compresses every file (gzip and
    Brotli), about 15 CPU-seconds, and each of them ran its own. The first to come collects, the
    others wait for it; the controller removes the folder at the end (tests/testdb.py)."""
    from tests.testdb import once_per_run, run_shared_path

    root = run_shared_path("staticfiles")
    with once_per_run("staticfiles") as first:
        if first:
            shutil.rmtree(root, ignore_errors=True)  # what a failed first attempt left
            root.mkdir(parents=True)
            media = root.parent / f"{root.name}-media"
            collectstatic(production_env(static_root=root, media_root=media), root.parent / f"{root.name}.log")
    return root


def site_config(
    *, port: int, upstream_ports: tuple[int, int], upload_port: int, static_root: Path, media_root: Path
) -> str:
    """deploy/nginx/confetti.conf with the test's port, daphne ports and folders."""
    text = SITE_CONF.read_text()
    replacements = {  # what the file names → (the test's value, how many times the file names it)
        LISTEN: (f"listen 127.0.0.1:{port};", 1),
        STATIC_ALIAS: (f"{static_root}/", 1),
        MEDIA_ALIAS: (f"{media_root}/", 1),
        PHOTO_ALIAS: (f"{photo_root_for(media_root)}/", 1),
        UPLOAD_UPSTREAM: (f"127.0.0.1:{upload_port}", 1),
        # Each page process twice: in the pages' upstream, and as a backup of the uploads'.
        **{old: (f"127.0.0.1:{new}", 2) for old, new in zip(UPSTREAMS, upstream_ports, strict=True)},
    }
    for old, (new, times) in replacements.items():
        # The shipped file changed shape: update this test with it, never test a stale copy.
        assert text.count(old) == times, f"{SITE_CONF} should name {old!r} {times} time(s)"
        text = text.replace(old, new)
    return text


class NginxServer(_Process):
    """nginx (master + one worker) with the shipped site config, on 127.0.0.1:<port>."""

    name = "nginx"

    def __init__(
        self, *, upstream_ports: tuple[int, int], upload_port: int, static_root: Path, media_root: Path,
        workdir: Path,
    ) -> None:
        super().__init__(log_dir=str(workdir))
        self.workdir = workdir
        for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (workdir / folder).mkdir(parents=True, exist_ok=True)
        (workdir / "confetti.conf").write_text(
            site_config(port=self.port, upstream_ports=upstream_ports, upload_port=upload_port,
                        static_root=static_root, media_root=media_root)
        )
        self.access_log = workdir / "access.log"  # which daphne process answered each request
        # As root, nginx's workers would switch to `nobody`, who cannot read pytest's temp folders.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        temp_paths = "".join(
            f"    {kind}_temp_path {workdir / folder};\n"
            for kind, folder in (("client_body", "client_body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"),
                                 ("uwsgi", "uwsgi"), ("scgi", "scgi"))
        )
        self.conf_path = workdir / "nginx.conf"
        self.conf_path.write_text(
            f"{user}worker_processes 1;\npid {workdir / 'nginx.pid'};\nerror_log stderr info;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            "    access_log /dev/stdout;\n"
            "    log_format upstreams '$request_method $request_uri $status $upstream_addr';\n"
            f"    access_log {self.access_log} upstreams;\n"
            f"{temp_paths}"
            f"    include {workdir / 'confetti.conf'};\n"
            "}\n"
        )

    # Clients reach it as they would a daphne process.
    url = DaphneServer.url
    ws_url = DaphneServer.ws_url

    def upstreams(self, method: str, path: str) -> list[str]:
        """The daphne addresses ("127.0.0.1:PORT", several when nginx moved on) that answered each
        `method path` logged so far, oldest first."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [line.split(" ", 3)[3] for line in lines if line.split(" ", 2)[:2] == [method, path]]

    def command(self) -> list[str]:
        return [nginx_binary() or "nginx", "-p", str(self.workdir), "-e", "stderr", "-c", str(self.conf_path),
                "-g", "daemon off;"]


class WorkerProcess(TaskWorker):
    """`manage.py messaging_worker` with the deployment's environment (`env` names its database)."""

    def __init__(self, *, env: dict[str, str], log_dir: str) -> None:
        super().__init__(database_url=env["DATABASE_URL"], extra_env=env, log_dir=log_dir)

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.extra_env}
        for key in ("CONFETTI_EXPECT_POSTGRES", "PYTEST_XDIST_WORKER", "TEST_DATABASE_NAME"):
            env.pop(key, None)
        return env
