"""Confirmed imports run here, in a background thread, so a long file never holds a request.

A job lives in the cache under its token: the planner's file, options and the
progress the import writes as it goes (read by the progress region in live.py).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections

from guests.importexport.importing import ImportFileError, guests_import
from guests.importexport.importing import mapping as m
from realtime.live import acting_as, actor_for
from wedding.core.models import Wedding

logger = logging.getLogger(__name__)

JOB_TTL = 6 * 3600


def job_key(token: str) -> str:
    return f"confetti:guest-import:{token}"


def job_get(token: str) -> dict[str, Any] | None:
    return cache.get(job_key(token))


def job_update(token: str, **changes: Any) -> None:
    job = cache.get(job_key(token)) or {}
    job.update(changes)
    cache.set(job_key(token), job, JOB_TTL)


def import_options(job: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `guests_import` that the planner chose on the preview."""
    return {
        "mapping": m.Mapping.from_dict(job["mapping"]) if job.get("mapping") else None,
        "sheet": job.get("sheet") or None,
        "header_line": job.get("header_line") or None,
        "header_rows": job.get("header_rows") or None,
    }


def job_run(token: str) -> None:
    """Run a confirmed import (in the background thread, or inline in tests)."""
    job = job_get(token)
    content = cache.get(job_key(token) + ":file")
    if job is None or content is None:
        return
    try:
        wedding = Wedding.objects.get(pk=job["wedding_id"])
        user = get_user_model().objects.filter(pk=job["user_id"]).first()

        def progress(done: int, total: int) -> None:
            job_update(token, done=done, total=total)

        with acting_as(actor_for(user=user)):
            report = guests_import(
                wedding=wedding, content=content, filename=job["filename"], progress=progress,
                skip_bad_rows=bool(job.get("skip_bad_rows")), remember_mapping=True, **import_options(job),
            )
        job_update(token, state="done", report=report.as_dict(), done=job.get("total", 1))
    except ImportFileError as error:
        job_update(token, state="failed", error=str(error))
    except Exception:
        logger.exception("guest import %s failed", token)
        job_update(token, state="failed", error="The import failed unexpectedly; nothing was imported.")
    finally:
        cache.delete(job_key(token) + ":file")


def _in_thread(token: str) -> None:
    try:
        job_run(token)
    finally:
        connections.close_all()  # this thread's own connections


def run_in_background(token: str) -> None:
    """Start the import. Tests replace this with a direct `job_run` (one database transaction)."""
    threading.Thread(target=_in_thread, args=(token,), name=f"guest-import-{token[:6]}", daemon=True).start()

