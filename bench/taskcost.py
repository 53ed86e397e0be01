"""The photo task's own cost (issue 19): what a worker spends per task besides the image work.

    .venv/bin/python bench/taskcost.py                            # this checkout's code
    .venv/bin/python bench/taskcost.py --checkout /work/wt/lead   # another checkout's (before/after)

`--photos` uploads (one noise JPEG, stored as sent, as `photoflood.py` makes them) on SQLite in
a temp dir with a private redis-server as the channel layer, then `manage.py messaging_worker
--batch` in this process runs their 2 × `--photos` tasks (thumbnail, then full-size image) with
the image functions replaced by stand-ins that read the whole original and return a ready-made
thumbnail (or the original's bytes as the image): what is left is the task's own work — claiming
it, the queries, reading and writing the files, the tracked save and its publish. Printed: wall
time and process CPU (every thread: the publish runs in its own) per task.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose worker is measured")
    parser.add_argument("--photos", type=int, default=60)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    import photoflood  # noqa: F401  (it puts this checkout first on the path: the measured one goes before it)

    sys.path.insert(0, str(args.checkout.resolve()))
    tmp = tempfile.mkdtemp(prefix="confetti-taskcost-")
    os.environ.update(PHOTO_ROOT=f"{tmp}/photos", MEDIA_ROOT=f"{tmp}/media")
    from tests.e2e.servers import RedisServer

    redis = RedisServer(log_dir=tmp)
    redis.start()
    try:
        os.environ["REDIS_URL"] = redis.url
        measure(args.photos, f"sqlite:///{tmp}/taskcost.sqlite3", args.checkout)
    finally:
        redis.stop()


def measure(photos: int, database_url: str, checkout: Path) -> None:
    import photoflood

    wedding_id = photoflood.setup(database_url, photos)[0]
    [jpeg], _ = photoflood.noise_photos(1, False, (2400, 1800))
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    from guests.models import Household
    from wedding.core.models import Wedding
    from wedding.photos import images, services
    from wedding.photos.models import Photo

    wedding = Wedding.objects.get(pk=wedding_id)
    for number, household in enumerate(Household.objects.filter(wedding=wedding)[:photos]):
        services.photo_upload(wedding=wedding, household=household, files=[SimpleUploadedFile("a.jpg", jpeg)],
                              caption=f"photo-{number}")
    thumbnail = images.clean_thumbnail(SimpleUploadedFile("a.jpg", jpeg)).thumbnail.read()

    def thumbnail_made(upload, **_options) -> images.CleanImage:
        upload.read()  # a decode reads the whole file
        return images.CleanImage(image=None, thumbnail=ContentFile(thumbnail, name="t.jpg"), width=2400, height=1800)

    def image_made(upload, **_options) -> images.CleanImage:
        return images.CleanImage(image=ContentFile(upload.read(), name="i.jpg"), thumbnail=None, width=2400, height=1800)

    images.clean_thumbnail, images.clean_full_size = thumbnail_made, image_made
    connection.close()  # the worker opens its own, as a worker process would
    print(f"load before: {open('/proc/loadavg').read().strip()}")
    wall, cpu = time.perf_counter(), time.process_time()
    call_command("messaging_worker", "--batch", "--interval", "0", "--no-recover", verbosity=0)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    made = Photo.objects.ready().count()
    assert made == photos, f"{made} of {photos} photos made"
    tasks = 2 * photos
    from wedding.messaging.management.commands import messaging_worker

    assert Path(messaging_worker.__file__).is_relative_to(checkout.resolve()), messaging_worker.__file__
    print(f"checkout {checkout}: {photos} photos, {tasks} tasks: wall {wall / tasks * 1000:.1f} ms, "
          f"CPU {cpu / tasks * 1000:.1f} ms a task")


if __name__ == "__main__":
    main()
