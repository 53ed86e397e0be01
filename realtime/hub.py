"""Per-process delivery hub (placeholder until the delivery side lands)."""

from __future__ import annotations


def deliver_local(message: dict) -> None:
    """Hand a committed change to this process's sockets. Thread-safe, never blocks."""


def needs_layer_publish(layer) -> bool:
    """Whether a publish must also go through the channel layer."""
    return True
