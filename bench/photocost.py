"""The task worker's CPU per photo (issue 19), step by step, on the photos `photoflood.py` uploads.

    .venv/bin/python bench/photocost.py                            # this checkout's code
    .venv/bin/python bench/photocost.py --checkout /work/wt/lead   # another checkout's (before/after, same run)

Process CPU (`time.process_time`, every thread of this process: libheif decodes in
threads) of each step, median of `--repeat` runs, on one noise JPEG (2400 × 1800,
quality 95, ~5 MB: noise does not compress, so the entropy decoding is the worst
case for a phone-sized file) and one HEIC of the same pixels (pillow-heif's
encoder). First Pillow's steps alone, then the worker's own functions
(`wedding.photos.images`) as the checkout has them: `clean_image` (the whole
job: decode, orient, strip, re-encode, thumbnail) and, where it exists,
`clean_thumbnail` (what a photo needs to go live) and `clean_full_size` (the
full-size image that follows it), and where `clean_thumbnail` takes `preview`,
both steps for a HEIC embedding a 320-px thumbnail as phones' do. No database, no files: the
task's own overhead (claiming the task, storing files, the tracked save) is in
`photoflood.py`'s "worker CPU per photo".
"""

from __future__ import annotations

import argparse
import inspect
import io
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_ms(step: Callable[[], object], repeat: int) -> float:
    spent = []
    for _ in range(repeat):
        started = time.process_time()
        step()
        spent.append(time.process_time() - started)
    return statistics.median(spent) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose wedding.photos is measured")
    parser.add_argument("--size", type=int, nargs=2, default=(2400, 1800))
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--smooth", action="store_true",
                        help="a smooth picture (gradients, light grain) instead of noise: closer to a real photo")
    args = parser.parse_args()

    sys.path.insert(0, str(args.checkout.resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageOps

    from wedding.photos import images

    size = tuple(args.size)
    if args.smooth:
        gradient = Image.linear_gradient("L").resize(size)
        grain = Image.effect_noise(size, 12)
        pixels = Image.merge("RGB", (gradient, gradient.rotate(90).resize(size), grain))
    else:
        pixels = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=95)
    jpeg = out.getvalue()
    out = io.BytesIO()
    pixels.save(out, "HEIF", quality=90)
    heic = out.getvalue()
    out = io.BytesIO()
    pixels.save(out, "HEIF", quality=90, thumbnails=[320])  # as phones embed one
    heic_thumbnailed = out.getvalue()

    def decoded(data: bytes, draft: tuple[int, int] | None = None) -> Image.Image:
        image = Image.open(io.BytesIO(data))
        if draft:
            image.draft(None, draft)
        image.load()
        return image

    def thumbnail(image: Image.Image) -> None:
        thumb = ImageOps.exif_transpose(image).copy()
        thumb.thumbnail(images.THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
        thumb.save(io.BytesIO(), "JPEG", quality=80, optimize=True)

    def as_upload(name: str, data: bytes) -> Callable[[], SimpleUploadedFile]:
        return lambda: SimpleUploadedFile(name, data)

    full = decoded(jpeg)
    small_box = (round(size[0] * 480 / max(size)), round(size[1] * 480 / max(size)))
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"checkout {args.checkout}; JPEG {len(jpeg) / 1e6:.1f} MB, HEIC {len(heic) / 1e6:.1f} MB, "
          f"{size[0]} × {size[1]}; median of {args.repeat}, process CPU ms")
    rows = [
        ("JPEG decode, full size", lambda: decoded(jpeg)),
        (f"JPEG decode, draft {small_box} → {decoded(jpeg, small_box).size}", lambda: decoded(jpeg, small_box)),
        ("JPEG re-encode full size (quality 88)", lambda: full.save(io.BytesIO(), "JPEG", quality=88)),
        ("thumbnail of the decoded full size (orient, LANCZOS, encode)", lambda: thumbnail(full)),
        ("draft decode + its thumbnail (orient, LANCZOS, encode)", lambda: thumbnail(decoded(jpeg, small_box))),
        ("HEIC decode", lambda: decoded(heic)),
    ]
    steps = {"clean_image": images.clean_image}
    if hasattr(images, "clean_thumbnail"):
        steps["clean_thumbnail"] = images.clean_thumbnail
    if hasattr(images, "clean_full_size"):
        steps["clean_full_size"] = images.clean_full_size
    for label, step in steps.items():
        for kind, name, data in (("JPEG", "a.jpg", jpeg), ("HEIC", "a.heic", heic)):
            upload = as_upload(name, data)
            rows.append((f"images.{label}, {kind}", lambda step=step, upload=upload: step(upload())))
    if "preview" in inspect.signature(images.clean_thumbnail).parameters:
        upload = as_upload("a.heic", heic_thumbnailed)
        rows += [
            ("images.clean_thumbnail(preview=True), HEIC + 320-px thumbnail",
             lambda: images.clean_thumbnail(upload(), preview=True)),
            ("images.clean_full_size, HEIC + 320-px thumbnail", lambda: images.clean_full_size(upload())),
        ]
    for label, step in rows:
        print(f"  {label:<62} {median_ms(step, args.repeat):7.1f}")


if __name__ == "__main__":
    main()
