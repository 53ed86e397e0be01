"""Directions to a venue: plain links to the map provider the guest picks (no embed, no tracking)."""

from __future__ import annotations

from urllib.parse import urlencode

PROVIDERS = ("OpenStreetMap", "Google Maps", "Apple Maps")


def place_of(*, venue: str, address: str) -> str:
    """The venue and its address on one line ("" when neither is known)."""
    return ", ".join(part for part in (venue.strip(), " ".join(address.split())) if part)


def directions_links(*, venue: str, address: str) -> list[tuple[str, str]]:
    """(provider, URL) pairs for directions to the venue; none when there is no place to go to."""
    place = place_of(venue=venue, address=address)
    if not place:
        return []
    return [
        ("OpenStreetMap", "https://www.openstreetmap.org/search?" + urlencode({"query": place})),
        ("Google Maps", "https://www.google.com/maps/dir/?" + urlencode({"api": "1", "destination": place})),
        ("Apple Maps", "https://maps.apple.com/?" + urlencode({"daddr": place})),
    ]
