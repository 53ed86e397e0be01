"""Image handling for uploads: checked by content, oriented, stripped of metadata, thumbnailed.

Nothing here trusts the file's name or the browser's content type: Pillow
reads the header, the pixel limit is checked *before* decoding (a tiny PNG can
claim 100 000 × 100 000 pixels), and the stored file is a fresh encode of the
pixels only (or, for an upright JPEG, its compressed pixels copied segment by
segment from a whitelist: `_jpeg_stripped`), so no EXIF (GPS position, camera
serial, …), XMP or comment survives. Phones' HEIC photos are read through
pillow-heif and stored as JPEG.

Steps, so a guest's upload does not wait for the decoding: `original_checked`
(in the request: size, header, pixel limits, decode budget; nothing decoded), then
on the task worker `clean_thumbnail` (the thumbnail alone when the format can be
decoded at a small scale, as JPEG can, or a preview from the thumbnail a phone
embeds in its HEIC: the photo goes live with it) and `clean_full_size` (the
full-size image, and the HEIC's real thumbnail); `clean_image` makes both at once.
"""

from __future__ import annotations

import io
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

# HEIC/HEIF (iPhones' default) opens like any other format; libheif applies the container's
# rotation while decoding. Other formats pillow-heif could add (AVIF) are not registered.
register_heif_opener()

# Pillow format → the format we store. Everything else (TIFF, AVIF, SVG, PDF…) is refused.
STORED_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG", "HEIF": "JPEG"}
EXTENSION = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "HEIF": "heic"}
ACCEPTED = "a JPEG, PNG, WebP, GIF or HEIC"
THUMBNAIL_SIZE = (480, 480)  # a square box: a photo's thumbnail size does not depend on its orientation
# Formats whose decoder can produce a small picture for a fraction of the full decode (libjpeg's
# DCT scaling, `Image.draft`): their thumbnail is made alone, first, and the full-size image
# after it. Others (HEIC, PNG, WebP, GIF) are decoded whole once, for both.
DRAFTABLE = frozenset({"JPEG", "MPO"})
# Formats that may carry a smaller copy of the picture, decoded instead of the whole picture for a
# *preview* (`clean_thumbnail(preview=True)`): phones embed one in each HEIC, a few hundred pixels
# across; libheif decodes it in ~10 ms against ~400 ms for a 4 Mpx picture. pillow-heif's `draft`
# takes one only if it is a scaled copy of the picture (same turn, crop and colour profile).
EMBEDDED_PREVIEW = frozenset({"HEIF"})
# The smallest embedded thumbnail shown as a preview (fitted in this box, as THUMBNAIL_SIZE):
# the gallery shows it for the few seconds until the real thumbnail replaces it.
PREVIEW_MIN_SIZE = (240, 240)


class PhotoRejected(ValueError):
    """A file that is not an acceptable photo; the message says why, in the guest's words."""


class OversizedUpload(UploadedFile):
    """A file refused while it arrived: its name and size, none of its bytes.

    It takes the refused file's place in `request.FILES`, so the form and
    `clean_image` see it where the guest put it and refuse it by its size with
    the usual message, while the other photos of the request are kept.
    """

    def __init__(self, *, name: str, size: int, content_type: str | None, charset: str | None = None,
                 content_type_extra: dict | None = None) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


class PhotoSizeLimitUploadHandler(FileUploadHandler):
    """Stops keeping a file's bytes as soon as it passes settings.PHOTO_MAX_BYTES.

    Install it first, for the photo upload view only, before anything reads the
    body (`request.upload_handlers.insert(0, ...)`, see `wedding.views.photos`).
    Up to the limit, bytes go on to Django's own handlers; past it, nothing more
    is stored and the copy made so far is dropped. Neither SkipFile (the guest
    would never hear of the file) nor StopUpload (the files and fields after it
    would be lost) is raised: the file is answered with an `OversizedUpload`.
    """

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.oversized:
            return None
        if start + len(raw_data) > settings.PHOTO_MAX_BYTES:
            self.oversized = True
            self._drop_partial_copies()
            return None  # the handlers after this one receive nothing more of this file
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.oversized:
            return None  # the next handler hands over the file it stored
        return OversizedUpload(
            name=self.file_name, size=file_size, content_type=self.content_type,
            charset=self.charset, content_type_extra=self.content_type_extra,
        )

    def _drop_partial_copies(self) -> None:
        # The later handlers keep the file being written as `.file` (the convention
        # Django's MultiPartParser relies on to close them after SkipFile); closing
        # it frees the memory or removes the temporary file now.
        for handler in self.request.upload_handlers if self.request is not None else ():
            if handler is not self and hasattr(handler, "file"):
                handler.file.close()


@dataclass(frozen=True)
class CleanImage:
    """What the worker made from an original: either file may be left for a later step (None)."""

    image: ContentFile | None
    thumbnail: ContentFile | None
    width: int  # of the full-size image, oriented, even when only the thumbnail was made
    height: int


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    return int(size)


# Decoding costs CPU by the pixel (about 40 ms a megapixel here), whatever the file's size. A
# real photo of more than a megapixel takes at least this many bytes per megapixel even as a
# flat PNG; a file far smaller than its pixels is a decompression bomb, refused undecoded
# (the report's 4 KB PNG of 39.7 Mpx needed 79 KB to pass).
MIN_BYTES_PER_MEGAPIXEL = 2_000
RATIO_CHECKED_FROM_PIXELS = 1_000_000


@contextmanager
def _refusing_unreadable() -> Iterator[None]:
    """Pillow's errors while reading a file, as PhotoRejected in the guest's words."""
    # A photo never loads truncated. Pillow's switch for that is process-wide, and importing
    # WeasyPrint (the stationery, in the same worker or server process) turns it on: a half-sent
    # photo was then stored padded with grey instead of refused.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        # Pillow only *warns* between MAX_IMAGE_PIXELS and twice that: make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected("has too many pixels to be a photo.") from None
        except UnidentifiedImageError:
            raise PhotoRejected(f"is not an image (its content is not {ACCEPTED}).") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise PhotoRejected("is damaged or incomplete; please try another copy.") from None


def _open_checked(upload, charge: Callable[[int], bool] | None = None, *, decode: bool = True) -> Image.Image:
    """Open and (unless `decode` is False) fully decode the upload, refusing non-images and pixel bombs.

    `charge(pixels)` is asked, after the header checks and before decoding,
    whether the uploader may spend that much decoding; False refuses the file.
    """
    max_pixels = settings.PHOTO_MAX_PIXELS
    upload.seek(0)
    with _refusing_unreadable():
        image = Image.open(upload)
        if image.format not in STORED_FORMAT:
            raise PhotoRejected(
                f"is a {image.format} file; please upload {ACCEPTED} photo."
            )
        # Checked from the header alone, before a single pixel is decoded.
        if image.width * image.height > max_pixels:
            raise PhotoRejected(
                f"is {image.width} × {image.height} pixels; the limit is "
                f"{max_pixels // 1_000_000} megapixels."
            )
        pixels, size = image.width * image.height, _size_of(upload)
        if pixels > RATIO_CHECKED_FROM_PIXELS and size * 1_000_000 < pixels * MIN_BYTES_PER_MEGAPIXEL:
            raise PhotoRejected(
                f"claims {image.width} × {image.height} pixels in only {filesizeformat(size)}: "
                "too small for a real photo of that size."
            )
        if charge is not None and not charge(pixels):
            raise PhotoRejected(
                "is more photo processing than one invitation may ask for in an hour; "
                "please try again in an hour."
            )
        if decode:
            image.load()
    return image


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _check_size(upload) -> None:
    if _size_of(upload) > settings.PHOTO_MAX_BYTES:
        raise PhotoRejected(f"is larger than {filesizeformat(settings.PHOTO_MAX_BYTES)}.")


@dataclass(frozen=True)
class CheckedOriginal:
    """An upload that passed every check made without decoding: the file as sent, a random name for it."""

    file: UploadedFile
    name: str


def original_checked(upload, *, charge: Callable[[int], bool] | None = None) -> CheckedOriginal:
    """The upload, checked from its size and header alone (the decoding is `clean_image`'s, later).

    The same limits as `clean_image`, and the decode budget is charged here, in
    the request, so a guest hears at once about a file that will not be taken.
    Only a file whose pixels turn out damaged is refused later, by the worker.
    """
    _check_size(upload)
    header = _open_checked(upload, charge, decode=False)
    upload.seek(0)
    return CheckedOriginal(file=upload, name=f"{uuid.uuid4().hex}.{EXTENSION[header.format]}")


def clean_image(upload, *, charge: Callable[[int], bool] | None = None, thumbnail: bool = True) -> CleanImage:
    """The upload as a stored photo (+ its thumbnail unless `thumbnail` is False), or PhotoRejected with the reason.

    Size limit: settings.PHOTO_MAX_BYTES; pixel limit: settings.PHOTO_MAX_PIXELS;
    bytes per pixel: MIN_BYTES_PER_MEGAPIXEL; decode budget: `charge` (see `_open_checked`).
    """
    _check_size(upload)
    return _cleaned(_open_checked(upload, charge), image=True, thumbnail=thumbnail)


def clean_thumbnail(upload, *, charge: Callable[[int], bool] | None = None, preview: bool = False) -> CleanImage:
    """The upload's thumbnail, made as cheaply as its format allows (`image` None), or PhotoRejected.

    A DRAFTABLE (JPEG) photo is decoded at libjpeg's scale nearest the
    thumbnail's size (an eighth of each side for a 12 Mpx photo): its
    full-size image is `clean_full_size`'s, later. With `preview`, a HEIC that
    embeds a thumbnail of at least PREVIEW_MIN_SIZE gets its thumbnail from it
    alone (its picture is not decoded, so not checked either: `clean_full_size`
    decodes it, refuses it if damaged, and remakes the thumbnail from it; the
    caller shows the preview only where nobody moderates from it). Any other
    photo has to be decoded whole anyway, so both files are made from that one
    decode (`image` set). The same checks as `clean_image`; width and height are
    the full-size image's.
    """
    _check_size(upload)
    source = _open_checked(upload, charge, decode=False)
    full_size, draftable, embedded = source.size, source.format in DRAFTABLE, False
    with _refusing_unreadable():
        if draftable:
            # Every byte of the file is still read at this scale: a damaged one is still refused.
            source.draft(None, _fitted(full_size))
        elif preview and source.format in EMBEDDED_PREVIEW:
            # libheif turns the embedded thumbnail as it turns the picture (the same `irot`/`imir`).
            embedded = source.draft(None, _fitted(full_size, PREVIEW_MIN_SIZE)) is not None
        source.load()
    if not (draftable or embedded):
        return _cleaned(source, image=True, thumbnail=True)
    if source.getexif().get(ExifTags.Base.Orientation) in (5, 6, 7, 8):  # a quarter turn
        full_size = full_size[::-1]
    return _cleaned(source, image=False, thumbnail=True, size=full_size)


def clean_full_size(upload, *, charge: Callable[[int], bool] | None = None) -> CleanImage:
    """The upload's full-size image, for a photo `clean_thumbnail` has made a thumbnail of.

    The thumbnail is made again (`thumbnail` set) only for a format whose
    first step could not decode the picture at a small scale: the first step
    showed the preview the file embeds (`clean_thumbnail(preview=True)`), this
    one decodes the whole picture anyway. A JPEG's stays (`thumbnail` None).

    An upright RGB or greyscale JPEG (no turn to apply) is kept as its own
    compressed data, not decoded: only the segments a decoder needs are copied
    (`_jpeg_stripped`), so no EXIF (GPS, camera), XMP, IPTC, comment, embedded
    thumbnail or trailing data survives, and no generation of JPEG loss is
    added. Its pixels were checked by the thumbnail's decode, which reads every
    byte of the file (the caller's contract: call this only after it). Any
    other photo is decoded and re-encoded (`clean_image`).
    """
    _check_size(upload)
    header = _open_checked(upload, charge, decode=False)
    upright = header.getexif().get(ExifTags.Base.Orientation) in (None, 1)
    if header.format == "JPEG" and header.mode in ("RGB", "L") and upright:
        upload.seek(0)
        body = _jpeg_stripped(upload.read())
        if body is not None and _header_size(body) == header.size:
            name = f"{uuid.uuid4().hex}.{EXTENSION['JPEG']}"
            return CleanImage(image=ContentFile(body, name=name), thumbnail=None, width=header.width, height=header.height)
    return clean_image(upload, thumbnail=header.format not in DRAFTABLE)


def _header_size(data: bytes) -> tuple[int, int] | None:
    try:
        return Image.open(io.BytesIO(data)).size
    except (OSError, SyntaxError, ValueError):
        return None


# The JPEG segments a decoder needs: frame headers (SOF0-15 but DHT, JPG and DAC's own codes),
# Huffman and quantisation tables, arithmetic-coding conditioning, restart interval.
_JPEG_STRUCTURE = frozenset({*range(0xC0, 0xD0)} - {0xC8}) | {0xDB, 0xDD}
_JPEG_SOS, _JPEG_EOI, _JPEG_APP0, _JPEG_APP2, _JPEG_APP14, _JPEG_COM = 0xDA, 0xD9, 0xE0, 0xE2, 0xEE, 0xFE
# In entropy-coded data a 0xFF byte is followed by 0x00 (stuffing) or a restart marker: anything else ends it.
_JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")


def _jpeg_stripped(data: bytes) -> bytes | None:
    """The JPEG rebuilt from the segments a decoder needs, or None for anything unexpected (then re-encode).

    Kept: the structure (`_JPEG_STRUCTURE`, scans with their coded data), a JFIF
    header rewritten without its optional thumbnail, the ICC colour profile
    (as `clean_image` keeps it) and Adobe's colour-transform flag. Dropped:
    every other application segment (EXIF and its thumbnail, XMP, IPTC, MPF,
    maker data…), comments, and everything after the end of the image.
    """
    if not data.startswith(b"\xff\xd8"):
        return None
    kept, pos = [b"\xff\xd8"], 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == _JPEG_EOI:
            return b"".join([*kept, b"\xff\xd9"])
        if pos + 4 > len(data):
            return None
        end = pos + 2 + int.from_bytes(data[pos + 2:pos + 4])
        if end > len(data) or end < pos + 4:
            return None
        segment = data[pos:end]
        if marker == _JPEG_SOS:
            coded_end = _JPEG_NEXT_MARKER.search(data, end)
            if coded_end is None:
                return None
            kept.append(data[pos:coded_end.start()])
            pos = coded_end.start()
            continue
        if marker in _JPEG_STRUCTURE:
            kept.append(segment)
        elif marker == _JPEG_APP0 and segment[4:9] == b"JFIF\x00" and len(segment) >= 16:
            # Version, density units and density; no thumbnail (0 × 0).
            kept.insert(1, b"\xff\xe0\x00\x10" + segment[4:16] + b"\x00\x00")
        elif (marker == _JPEG_APP2 and segment[4:16] == b"ICC_PROFILE\x00") or (
            marker == _JPEG_APP14 and segment[4:9] == b"Adobe"
        ):
            kept.append(segment)
        elif not (_JPEG_APP0 <= marker <= 0xEF or marker == _JPEG_COM):
            return None  # a marker this does not know: not copied blindly
        pos = end
    return None  # no end of image


def _fitted(size: tuple[int, int], box: tuple[int, int] = THUMBNAIL_SIZE) -> tuple[int, int]:
    """The size of the thumbnail of a picture of `size` (within `box`, never enlarged)."""
    scale = max(size[0] / box[0], size[1] / box[1], 1)
    return max(1, round(size[0] / scale)), max(1, round(size[1] / scale))


def _cleaned(source: Image.Image, *, image: bool, thumbnail: bool, size: tuple[int, int] | None = None) -> CleanImage:
    """The decoded `source` oriented and stripped, encoded as the stored image and/or thumbnail.

    `size`: the full-size image's (oriented), when `source` was decoded smaller.
    """
    fmt = STORED_FORMAT[source.format]
    if source.format == "GIF":
        source.seek(0)  # first frame only
    icc_profile, decoded_mode = source.info.get("icc_profile"), source.mode
    # Turn the pixels the way the camera meant them, then forget the EXIF that said so. In
    # place: `source` is ours alone, and an upright 12 Mpx photo is not copied (~30 ms).
    ImageOps.exif_transpose(source, in_place=True)
    pixels = source
    if fmt == "JPEG" and pixels.mode not in ("RGB", "L"):
        pixels = pixels.convert("RGB")
    elif fmt != "JPEG" and pixels.mode not in ("RGB", "RGBA", "L", "LA"):
        pixels = pixels.convert("RGBA")
    # Savers write metadata only from `info` or explicit options: with `info` emptied the
    # stored file has the pixels and nothing else (no EXIF/GPS, XMP, comments, text
    # chunks). The colour profile is kept: it says how to show the colours, not where.
    # (Only while the pixels keep their mode: a CMYK profile on converted RGB would be wrong.)
    if pixels.mode != decoded_mode:
        icc_profile = None
    pixels.info = {}
    # Random names: the guest's file name never reaches the disk or the page.
    stem = uuid.uuid4().hex
    body = None
    if image:
        # No Huffman `optimize` pass for JPEG: it is most of the encoding time of a phone photo
        # (about 3×) for a file a few per cent smaller, and a hundred guests upload at once.
        options = {"quality": 88} if fmt in ("JPEG", "WEBP") else {"optimize": True}
        if icc_profile:
            options["icc_profile"] = icc_profile
        body = ContentFile(_encode(pixels, fmt, **options), name=f"{stem}.{EXTENSION[fmt]}")
    thumb_body = None
    if thumbnail:
        # As `Image.thumbnail` does (a box reduction first, then LANCZOS), without copying the pixels.
        thumb = pixels.resize(_fitted(pixels.size), Image.Resampling.LANCZOS, reducing_gap=2.0)
        if thumb.mode != "RGB":
            background = Image.new("RGB", thumb.size, "white")
            background.paste(thumb.convert("RGBA"), mask=thumb.convert("RGBA").getchannel("A"))
            thumb = background
        thumb_body = ContentFile(_encode(thumb, "JPEG", quality=80, optimize=True), name=f"{stem}-thumb.jpg")
    width, height = size or pixels.size
    return CleanImage(image=body, thumbnail=thumb_body, width=width, height=height)


def checked_upload(form: forms.ModelForm, field: str):
    """A newly uploaded image checked and cleaned like a guest's (kept on `form._clean_image`)."""
    upload = form.cleaned_data.get(field)
    if not upload or not hasattr(upload, "content_type"):
        return upload  # unchanged, or cleared
    try:
        form._clean_image = clean_image(upload)
    except PhotoRejected as exc:
        raise ValidationError(f"This file {exc}") from None
    return form._clean_image.image
