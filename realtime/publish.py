"""Publishing a committed change: never fails, never slows the write for long.

Called from `transaction.on_commit` with `{wedding, version, topics, ids}` — no
private data, no HTML. The message goes first to this process's own sockets
(in memory, so a dead Redis still leaves every process live for its own
writes, DESIGN §4.11), then to the channel layer for the other processes.

In a server process the layer send is handed to the hub's event loop and the
committing request goes on: it used to wait for the loop to get round to the
send and for Redis to answer, 16 ms at the median and 115 ms at p95 of an
invitation rush's submits (bench/README.md, "The submit no longer waits for
Redis"). A message whose send fails or is lost is still delivered: the other
processes read a version they missed from the change log (`realtime.hub`, gap
fill and audit). Elsewhere (the task worker, a management command) there is
no running loop to hand it to, and the send waits, for at most
REALTIME_PUBLISH_TIMEOUT.

Dependencies point one way: publishing hands changes to the hub
(`hub.deliver_local`); the hub never imports this module.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from realtime import hub
from realtime.protocol import MESSAGE_TYPE, PROCESS_ID, wedding_group

__all__ = ["publish", "layer_ok", "PROCESS_ID", "MESSAGE_TYPE", "wedding_group"]

logger = logging.getLogger(__name__)

_health_lock = threading.Lock()
_layer_ok = True


def _mark(ok: bool, error: BaseException | None = None) -> None:
    """Log once per outage, not once per write."""
    global _layer_ok
    with _health_lock:
        changed = ok != _layer_ok
        _layer_ok = ok
    if changed and not ok:
        logger.error("realtime: channel layer unreachable, publishing locally only: %r", error)
    elif changed:
        logger.warning("realtime: channel layer reachable again")


def layer_ok() -> bool:
    return _layer_ok


async def _send(layer, message: dict) -> None:
    """`message` as the layer carries it (`_layer_message`), to its wedding's group, within the timeout."""
    await asyncio.wait_for(layer.group_send(wedding_group(message["wedding"]), message),
                           timeout=settings.REALTIME_PUBLISH_TIMEOUT)


async def _send_marked(layer, message: dict) -> None:
    try:
        await _send(layer, message)
    except Exception as error:  # Redis down, slow, or anything else: the write already committed
        _mark(False, error)
    else:
        _mark(True)


_sending: set[asyncio.Task] = set()  # sends in flight on the hub's loop (the loop keeps weak references)


def _start_send(layer, message: dict) -> None:
    task = asyncio.get_running_loop().create_task(_send_marked(layer, message))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


def _layer_message(message: dict) -> dict:
    # The origin is read now: the hub of this process skips its own echo by it.
    return {"type": MESSAGE_TYPE, "origin": PROCESS_ID, **message}


def publish(message: dict) -> None:
    """Deliver a committed change everywhere it can go. Never raises."""
    try:
        hub.deliver_local(message)
    except Exception:
        logger.exception("realtime: local delivery failed")
    layer = get_channel_layer()
    if layer is None or not hub.needs_layer_publish(layer):
        return
    message = _layer_message(message)
    if hub.on_hub_loop(lambda: _start_send(layer, message), running=True):
        return  # a server: its loop sends, the request goes on
    try:
        async_to_sync(_send_marked)(layer, message)
    except Exception as error:  # called inside a running event loop, say: the write already committed
        _mark(False, error)
