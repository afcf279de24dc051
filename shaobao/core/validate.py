"""Edge validation shared by every service: each failure is an InvalidInput naming the field."""

import datetime as dt

from django.utils.translation import gettext as _

from shaobao.core.errors import InvalidInput


def is_digits(value: str) -> bool:
    """ASCII 0-9 only: `str.isdigit` also takes "²" or "１", which `int()` then refuses or
    reads as a number nobody typed."""
    return value.isascii() and value.isdigit()


# How far ahead a time a user sets may lie (a launch, a deadline, a schedule's first run).
HORIZON = dt.timedelta(days=2 * 366)


def moment(value, field, *, now, horizon=HORIZON):
    """A time a user sets (None stays None): with its zone (a time without one is ambiguous,
    and cannot be compared with the clock), and not beyond `horizon` from `now` (deadlines are
    counted on from it, which far in the future overflows)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise InvalidInput(
            _("“%(field)s”须为带时区的时间，如 2026-12-01T09:00:00+08:00") % {"field": field},
            fields={field: "no_zone"},
        )
    if value > now + horizon:
        raise InvalidInput(
            _("“%(field)s”不能晚于两年以后") % {"field": field}, fields={field: "too_far"}
        )
    return value


def choice(value, choices, field):
    if value not in {c for c, _label in choices}:
        raise InvalidInput(_("“%(field)s”的取值无效") % {"field": field}, fields={field: "invalid"})
    return value


def text(value, field, *, max_len, required=True):
    value = (value if isinstance(value, str) else "" if value is None else str(value)).strip()
    if required and not value:
        raise InvalidInput(_("请填写“%(field)s”") % {"field": field}, fields={field: "required"})
    if len(value) > max_len:
        raise InvalidInput(
            _("“%(field)s”不能超过%(n)s个字") % {"field": field, "n": max_len},
            fields={field: "too_long"},
        )
    if "\x00" in value:
        raise InvalidInput(
            _("“%(field)s”含有无效字符") % {"field": field}, fields={field: "invalid"}
        )
    return value


def coords(lat, lng):
    if lat in (None, "") and lng in (None, ""):
        return None, None
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise InvalidInput(_("坐标无效"), fields={"lat": "invalid"}) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(_("坐标超出范围"), fields={"lat": "out_of_range"})
    return lat, lng


def nonneg_int(value, field, *, maximum=1_000_000):
    try:
        v = int(value or 0)
    except (TypeError, ValueError):
        raise InvalidInput(_("“%(f)s”须为整数") % {"f": field}, fields={field: "invalid"}) from None
    if v < 0 or v > maximum:
        raise InvalidInput(_("“%(f)s”超出范围") % {"f": field}, fields={field: "out_of_range"})
    return v


def priority(value):
    try:
        v = int(value)
    except (TypeError, ValueError):
        v = 0
    if v not in (1, 2, 3):
        raise InvalidInput(_("紧急程度无效"), fields={"priority": "invalid"})
    return v


def object_id(value, field):
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("“%(f)s”无效") % {"f": field}, fields={field: "invalid"}) from None
    if v <= 0 or v > 2**62:
        raise InvalidInput(_("“%(f)s”无效") % {"f": field}, fields={field: "invalid"})
    return v


IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 9


def images(files):
    """Photos as evidence: at most nine JPEG/PNG/WebP files of 8 MB, recognised by their bytes."""
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(_("照片最多%(n)s张") % {"n": MAX_PHOTOS}, fields={"photos": "too_many"})
    for f in files:
        head = f.read(12)
        f.seek(0)
        if f.size > MAX_PHOTO_BYTES or not head.startswith(IMAGE_MAGIC):
            raise InvalidInput(
                _("照片须为不超过8MB的JPEG、PNG或WebP图片"), fields={"photos": "invalid"}
            )
    return files


def image_content_type(head: bytes) -> str:
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"RIFF"):
        return "image/webp"
    return "image/jpeg"


MAX_ID = 2**62


def pk(value) -> int:
    """An id from a URL or a form: anything that is not a positive bigint is simply not found."""
    from shaobao.core.errors import NotFound

    try:
        v = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < v <= MAX_ID:
        raise NotFound()
    return v
