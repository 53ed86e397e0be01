"""Real server processes for browser, integration and stress tests.

`DaphneServer` runs `python -m daphne` on a free 127.0.0.1 port against the
test database of the pytest process (the URL is built from the live test
connection, so SQLite files and PostgreSQL test databases both work);
`RedisServer` runs a private, throw-away `redis-server` so tests can stop and
restart Redis without touching the machine's shared one. Both capture their
output in a log file whose tail is attached to failing tests (see
`tests/e2e/conftest.py`).

Nothing here imports pytest: benchmarks (`bench/soak.py`) use the same classes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# The test-only ASGI app: the product's application plus static files (daphne
# alone serves no /static/) and a switch to close sockets with a chosen code.
TEST_ASGI_APP = "tests.e2e.asgi_test_app:application"
PRODUCT_ASGI_APP = "wedding.asgi:application"

START_TIMEOUT = 20.0  # a cold Django import on a busy 2-core machine can take a while

# Every server object alive in this process: failing tests get their log tails.
ALL_SERVERS: weakref.WeakSet = weakref.WeakSet()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database a Django connection currently points at.

    Under pytest-django, after the test DB was created, `connection.settings_dict`
    names the *test* database, so a subprocess started with this URL shares it.
    """
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine.endswith("sqlite3"):
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError(
                "The SQLite test database is in memory; a server process cannot share it. "
                "wedding/settings.py gives it a file name (DATABASES TEST NAME)."
            )
        return f"sqlite:///{Path(name).resolve()}"
    if "postgresql" in engine:
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{quote(name, safe='')}"
    raise RuntimeError(f"Unsupported database engine for a server process: {engine}")


def daphne_available() -> bool:
    try:
        import daphne  # noqa: F401
    except ImportError:
        return False
    return True


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


class _Process:
    """A subprocess with a log file, stoppable and restartable on the same port."""

    name = "process"

    def __init__(self, *, port: int | None = None, log_dir: str | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        log_dir = log_dir or tempfile.mkdtemp(prefix="confetti-servers-")
        self.log_path = Path(log_dir) / f"{self.name}-{self.port}.log"
        self._log = None
        ALL_SERVERS.add(self)

    # -- to implement -------------------------------------------------------
    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    def ready(self) -> bool:
        return _port_open(self.port)

    # -- lifecycle ------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.running else None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        if self.running:
            return
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log.write(f"\n===== start {time.strftime('%H:%M:%S')} =====\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            self.command(),
            cwd=BASE_DIR,
            env=self.environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own process group: a kill never reaches pytest
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.ready():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} on port {self.port} not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self, *, kill: bool = False, timeout: float = 5.0) -> None:
        """Stop the process: SIGTERM (graceful) or SIGKILL (a crash)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        # The port must be free before a restart binds it again.
        deadline = time.monotonic() + timeout
        while _port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def kill(self) -> None:
        self.stop(kill=True)

    def restart(self, *, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()

    # -- logs -------------------------------------------------------------------
    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_tail(self, since: int = 0, limit: int = 20_000) -> str:
        try:
            data = self.log_path.read_bytes()[since:]
        except OSError:
            return ""
        return data[-limit:].decode("utf-8", "replace")


class RedisServer(_Process):
    """A private redis-server (no persistence) that tests may stop and restart at will."""

    name = "redis"

    def command(self) -> list[str]:
        return [
            redis_server_binary() or "redis-server",
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "no",
        ]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class _ConfettiProcess(_Process):
    """A process of Confetti itself on the test database: its environment, whatever it runs.

    `database_url` must name the test database (see `database_url()`);
    `redis_url` (optional) switches it to the Redis channel layer;
    `extra_env` overrides any other setting (e.g. {"DEBUG": "false"}).
    """

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str | None = None,
        extra_env: dict[str, str] | None = None,
        port: int | None = None,
        log_dir: str | None = None,
    ) -> None:
        super().__init__(port=port, log_dir=log_dir)
        self.database_url = database_url
        self.redis_url = redis_url
        self.extra_env = dict(extra_env or {})

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        # Never inherit the test runner's CI/pytest knobs into the server's settings.
        for key in ("REDIS_URL", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST", "TEST_DATABASE_NAME"):
            env.pop(key, None)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "wedding.settings",
                "DATABASE_URL": self.database_url,
                "PYTHONPATH": str(BASE_DIR) + os.pathsep + env.get("PYTHONPATH", ""),
                "PYTHONUNBUFFERED": "1",
                # Tests enter codes and post forms far faster than people do.
                "RATELIMIT_ENABLE": "false",
            }
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env


class TaskWorker(_ConfettiProcess):
    """`manage.py messaging_worker`: the task queue's worker (mail, photos' images), polling often."""

    name = "worker"

    def command(self) -> list[str]:
        return [sys.executable, "manage.py", "messaging_worker", "--interval", "0.2"]

    def start(self, timeout: float = START_TIMEOUT) -> None:
        self._log_start = self.log_size()
        super().start(timeout)

    def ready(self) -> bool:
        # It serves no port: ready once it says it takes tasks (db_worker's first log line).
        return "Starting worker" in self.log_tail(since=self._log_start)


class DaphneServer(_ConfettiProcess):
    """`python -m daphne` serving Confetti on 127.0.0.1:<port> (`app`: the test ASGI app by default)."""

    name = "daphne"

    def __init__(self, *, app: str = TEST_ASGI_APP, **kwargs) -> None:
        super().__init__(**kwargs)
        self.app = app

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), self.app]

    def ready(self) -> bool:
        if not _port_open(self.port):
            return False
        try:
            with urllib.request.urlopen(f"{self.url}/admin/login/", timeout=10) as response:
                return response.status == 200
        except urllib.error.HTTPError as error:
            return error.code < 500
        except (urllib.error.URLError, OSError):
            return False

    def close_sockets(self, code: int, timeout: float = 5.0) -> int:
        """Make the server close every open WebSocket with `code` (1000, 1001 or 1011).

        Only with the test ASGI app. Returns how many sockets were closed.
        """
        with urllib.request.urlopen(f"{self.url}/__test__/close-sockets?code={code}", timeout=timeout) as r:
            return int(r.read().decode() or 0)

    def open_sockets(self, timeout: float = 5.0) -> int:
        """How many WebSockets the server has open (test ASGI app only)."""
        with urllib.request.urlopen(f"{self.url}/__test__/sockets", timeout=timeout) as r:
            return int(r.read().decode() or 0)
