"""The wire protocol of live pages and the channel layer's names: shapes only, no I/O.

Browser ↔ server, JSON text frames on `/ws/live/?wedding=<id>`:

client → server
  {"t": "hello", "v": <version the page was rendered at>,
   "regions": [{"name": "song_queue", "params": {"event": "3"}}, ...]}
      First frame after open (may be sent again to change the regions).
      Regions the viewer may not see, unknown names or bad parameters are
      refused (listed in the welcome), never rendered.
  {"t": "resync"}   every region again at the current version (the client
                    saw a version it cannot account for, or a tab woke up)
  {"t": "ping"}     keep-alive; answered with {"t": "pong"}

server → client
  {"t": "welcome", "v": <current version>, "state": "live"|"degraded",
   "regions": [<accepted dom ids>], "refused": [{"name", "reason"}]}
      If "v" is newer than the hello's, an update with the changed regions
      follows (nothing committed between page render and connect is missed).
  {"t": "update", "v": <version>, "since": <version the server last told
   this socket>, "resync": bool, "regions": [{"id": <dom id>, "html": ...}]}
      Replace each element by id. "since" different from the client's own
      version means a frame went missing: the client sends a resync.
  {"t": "state", "state": "live"|"degraded"}
      degraded: this server lost its channel layer; the page polls its
      regions' fragment URLs until "live" (followed by a resync).
  {"t": "error", "message": <why the last frame was refused>}
      The frame changed nothing; the socket stays open (until too many).

Close codes: 4403 not allowed (no principal, or not for this wedding),
4401 the principal ended (logged out, invitation code regenerated, planner
removed, deactivated or re-passworded), 4400 protocol abuse. The client
reconnects after any other close — 1013 "try again later" (over a socket
cap, `realtime.limits`) with its backoff.

Between processes (channel layer): one group per wedding carrying
`{"type": MESSAGE_TYPE, "origin", "wedding", "version", "topics", "ids", ...}`
(no private data, no HTML), and one control group carrying
`{"type": CLOSE_TYPE, "origin", "user", "household", "session"}`.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from typing import Any

# Identifies this process in layer messages, so its hub can skip its own echo.
PROCESS_ID = uuid.uuid4().hex[:12]
MESSAGE_TYPE = "wedding.changed"
CLOSE_TYPE = "confetti.close"
CONTROL_GROUP = "confetti.control"

CLOSE_NOT_ALLOWED = 4403
CLOSE_PRINCIPAL_ENDED = 4401
CLOSE_BAD_REQUEST = 4400

LIVE, DEGRADED = "live", "degraded"

MAX_FRAME = 32 * 1024  # characters of one client frame, checked before parsing
MAX_DEPTH = 8  # nesting of a client frame: hello → regions → region → params is 4
MAX_NUMBER_DIGITS = 30  # a version is a 64-bit integer; longer literals are abuse
MAX_VERSION = 2**63 - 1

PONG = '{"t":"pong"}'


def wedding_group(wedding_id: int) -> str:
    return f"confetti.wedding.{wedding_id}"


class ProtocolError(ValueError):
    """A client frame the server refuses; `str()` is the reason sent back in the error frame."""


# Strings (with their escapes) or brackets: the depth check skips brackets inside strings.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _depth(text: str) -> int:
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif token in "]}":
            depth -= 1
    return deepest


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"{name} is not a number this protocol accepts")


def _finite_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_DIGITS:
        raise ProtocolError("number too long")
    value = float(literal)
    if not math.isfinite(value):  # 1e400 parses as inf
        raise ProtocolError("numbers must be finite")
    return value


def _bounded_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_DIGITS:
        raise ProtocolError("number too long")
    return int(literal)


def parse_client_frame(text: str | None) -> dict:
    """The client frame `text` as a dict with a string "t", or ProtocolError (never anything else).

    Defensive by construction: the size is checked before parsing, nesting is
    bounded before the (recursive) JSON parser sees the text, and numbers
    must be finite and short, so no frame can cost unbounded memory,
    recursion or an OverflowError later on.
    """
    if not isinstance(text, str) or len(text) > MAX_FRAME:
        raise ProtocolError("frames must be JSON text under 32 KB")
    if _depth(text) > MAX_DEPTH:
        raise ProtocolError(f"frames may nest at most {MAX_DEPTH} deep")
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    except ProtocolError:
        raise
    except ValueError as error:  # JSONDecodeError, or a literal int() refuses
        raise ProtocolError("malformed frame") from error
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise ProtocolError("malformed frame")
    return data


def client_version(value: Any) -> int:
    """The version a hello claims, clamped to 0..MAX_VERSION (0: unknown or nonsense)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # "abc", 1.5e300 is fine, NaN/inf were refused earlier
        return 0
    return min(max(number, 0), MAX_VERSION)


def encode(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"))


def welcome_frame(*, version: int, state: str, regions: list[str], refused: list[dict]) -> str:
    return json.dumps({"t": "welcome", "v": version, "state": state, "regions": regions, "refused": refused})


def update_frame(*, version: int, since: int, resync: bool, parts: list[tuple[str, str]]) -> str:
    return encode({
        "t": "update", "v": version, "since": since, "resync": resync,
        "regions": [{"id": dom_id, "html": html} for dom_id, html in parts],
    })


def state_frame(state: str) -> str:
    return json.dumps({"t": "state", "state": state})


def error_frame(message: str) -> str:
    return json.dumps({"t": "error", "message": message})
