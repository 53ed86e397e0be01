"""`manage.py realtime_status`: is the live engine healthy, and what did it do lately?"""

from __future__ import annotations

import asyncio
import time

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from realtime import hub, stats, transport
from realtime.models import Change


def layer_status() -> tuple[str, bool, str]:
    """(backend, reachable, detail): a round trip through the layer, bounded by a timeout."""
    layer = get_channel_layer()
    if layer is None:
        return "none", False, "CHANNEL_LAYERS is not configured"
    backend = f"{type(layer).__module__}.{type(layer).__name__}"
    if not hub.needs_layer_publish(layer):
        return backend, True, "in-memory: this process only (each daphne process delivers its own writes)"

    async def round_trip() -> float:
        channel = await layer.new_channel(prefix="confetti-status")
        started = time.perf_counter()
        await layer.send(channel, {"type": "confetti.ping"})
        await layer.receive(channel)
        return time.perf_counter() - started

    try:
        elapsed = asyncio.run(asyncio.wait_for(round_trip(), timeout=2))
    except Exception as error:  # Redis down, refused, timing out: that is the answer
        return backend, False, f"unreachable: {error!r}"[:200]
    return backend, True, f"round trip {elapsed * 1000:.1f} ms"


class Command(BaseCommand):
    help = "Channel layer backend and reachability, per-process hub counters, wedding versions, recent changes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--wedding", metavar="SLUG", help="Only this wedding.")
        parser.add_argument("--limit", type=int, default=10, help="Recent changes to list (default 10).")

    def handle(self, *args, wedding: str | None = None, limit: int = 10, **options) -> None:
        from wedding.core.models import Wedding

        backend, ok, detail = layer_status()
        style = self.style.SUCCESS if ok else self.style.ERROR
        self.stdout.write(f"Channel layer: {backend}")
        self.stdout.write(style(f"  {'reachable' if ok else 'NOT REACHABLE'} — {detail}"))

        try:
            processes = stats.read_counters()
        except Exception as error:
            processes = []
            self.stdout.write(self.style.WARNING(f"Hub counters unavailable: {error!r}"))
        where = "Redis" if settings.REDIS_URL else "this machine"
        self.stdout.write(f"\nLive processes ({len(processes)}, from {where}):")
        if not processes:
            self.stdout.write("  none reporting (no daphne process has had a socket in the last 20 s)")
        for counters in sorted(processes, key=lambda c: c.get("pid", 0)):
            age = time.time() - counters.get("updated_at", 0)
            self.stdout.write(
                f"  pid {counters.get('pid')} [{counters.get('process')}] {counters.get('state')}: "
                f"sockets={counters.get('sockets', 0)} weddings={counters.get('weddings', 0)} "
                f"messages_in={counters.get('messages_in', 0)} frames_out={counters.get('frames_out', 0)} "
                f"renders={counters.get('renders', 0)} resyncs={counters.get('resyncs', 0)} "
                f"gaps={counters.get('gaps', 0)} layer_errors={counters.get('layer_errors', 0)} "
                f"({age:.0f} s ago)"
            )
            self.stdout.write(f"    send path: {describe_send_path(counters)}")
            self.stdout.write(
                f"    limits: refused over the per-principal cap={counters.get('refused_principal_cap', 0)} "
                f"per-address cap={counters.get('refused_address_cap', 0)} "
                f"dropped for not reading={counters.get('closed_slow', 0)} "
                f"throttled hello/resync frames={counters.get('throttled_frames', 0)}"
            )

        weddings = Wedding.objects.order_by("slug")
        if wedding:
            weddings = weddings.filter(slug=wedding)
            if not weddings.exists():
                raise CommandError(f"No wedding with slug {wedding!r}.")
        self.stdout.write("\nWeddings:")
        for item in weddings.only("slug", "name", "version"):
            self.stdout.write(f"  {item.slug}: version {item.version} ({item.name})")

        changes = Change.objects.select_related("wedding").order_by("-created_at", "-id")
        if wedding:
            changes = changes.filter(wedding__slug=wedding)
        self.stdout.write(f"\nRecent changes (latest {limit}):")
        rows = list(changes[: max(limit, 0)])
        if not rows:
            self.stdout.write("  none")
        for change in rows:
            self.stdout.write(f"  {format_change(change)}")


def describe_send_path(counters: dict) -> str:
    """Which path the process's frames take: direct prepared frames, public autobahn broadcast
    or the ASGI send (sockets of another server always use the ASGI send)."""
    path = counters.get("send_path") or "unknown (a process from before send paths were reported)"
    frames, direct = counters.get("frames_out", 0), counters.get("direct_frames", 0)
    if path == transport.ASGI or not frames:
        return path
    return f"{path} ({direct} of {frames} frames; the rest through the ASGI send)"


def format_change(change: Change) -> str:
    count = f" ×{change.count}" if change.count > 1 else ""
    who = f" — {change.actor_label}" if change.actor_label else ""
    stamp = change.created_at.strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"{stamp} {change.wedding.slug} v{change.version} {change.topic}/{change.action}{count}: "
        f"{change.summary}{who}"
    )
