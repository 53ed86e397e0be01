"""`deploy/` agrees with itself (issue 19): every daphne port nginx sends requests to is a process
that systemd's target and the Procfile start, and the upload process runs niced in both.

tests/integration/test_nginx.py runs the nginx file for real; this reads the three files side by
side, so that adding a process to one and not the others fails here and not on a host.
"""

from __future__ import annotations

import re

from tests.integration.deployment import SITE_CONF, UPLOAD_UPSTREAM, UPSTREAMS

DEPLOY = SITE_CONF.parent.parent
PORT = re.compile(r"127\.0\.0\.1:(\d+)")


def upstream_block(name: str) -> str:
    match = re.search(rf"upstream {name} \{{(.*?)\}}", SITE_CONF.read_text(), re.S)
    assert match, f"{SITE_CONF} has no upstream {name}"
    return match.group(1)


def nginx_ports() -> dict[str, set[str]]:
    """upstream → ports of its `server` lines; the uploads' split into their own and their backups."""
    pages, uploads = upstream_block("confetti_daphne"), upstream_block("confetti_uploads")
    servers = re.findall(r"^\s*server 127\.0\.0\.1:(\d+)([^;]*);", uploads, re.M)
    return {
        "pages": set(PORT.findall(pages)),
        "uploads": {port for port, options in servers if "backup" not in options},
        "upload backups": {port for port, options in servers if "backup" in options},
    }


def procfile() -> dict[str, str]:
    lines = (DEPLOY / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def test_nginx_names_the_ports_the_deployment_test_substitutes():
    ports = nginx_ports()
    assert ports["pages"] == {address.split(":")[1] for address in UPSTREAMS}
    assert ports["uploads"] == {UPLOAD_UPSTREAM.split(":")[1]}
    # With the upload process down (a restart), uploads go to the page processes.
    assert ports["upload backups"] == ports["pages"]
    assert not ports["uploads"] & ports["pages"], "uploads need a process of their own"
    # Uploads (POST) take the uploads' upstream on the gallery's URL; its page stays on the pages'.
    text = SITE_CONF.read_text()
    assert re.search(r"map \$request_method \$confetti_photos \{\s*POST\s+confetti_uploads;\s*default\s+confetti_daphne;",
                     text)
    assert re.search(r"location = /photos/ \{\s*proxy_pass http://\$confetti_photos;", text)


def test_systemd_starts_every_daphne_process_nginx_names_and_nices_the_upload_one():
    ports = nginx_ports()
    target = (DEPLOY / "systemd" / "confetti.target").read_text()
    wanted = set(re.findall(r"confetti-daphne@(\d+)\.service", target))
    assert wanted == ports["pages"] | ports["uploads"]
    assert "confetti-worker.service" in target
    for port in ports["uploads"]:
        drop_in = DEPLOY / "systemd" / f"confetti-daphne@{port}.service.d" / "uploads.conf"
        assert re.search(r"^\[Service\]\s*^Nice=(\d+)$", drop_in.read_text(), re.M), drop_in
        assert int(re.search(r"^Nice=(\d+)$", drop_in.read_text(), re.M).group(1)) > 0


def test_the_procfile_starts_every_daphne_process_nginx_names_and_nices_the_upload_one():
    ports = nginx_ports()
    processes = procfile()
    daphnes = {re.search(r"-p (\d+)", command).group(1): command
               for command in processes.values() if "daphne" in command}
    assert set(daphnes) == ports["pages"] | ports["uploads"]
    for port, command in daphnes.items():
        assert command.startswith("nice -n ") == (port in ports["uploads"]), command
    assert any("messaging_worker" in command for command in processes.values())
