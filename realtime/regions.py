"""Live regions: named page fragments that re-render themselves when their topics change.

An app declares each region once, in its `live.py` (discovered by
RealtimeConfig.ready(); `realtime.checks` validates the declarations):

    live.region(
        "guest_table",                      # unique name
        audience=Audience.HOUSEHOLD,        # who may see it
        topics={"seating", "table", "wedding"},
        template="guests/home.html#table",  # a {% partialdef %} fragment
        context=table_context,              # (viewer, **params) -> dict
        params=("event",),                  # names of string parameters it takes
    )

The same `render_region()` serves the first page load (`{% live_region %}`),
the HTTP fragment URL (polling fallback and resync) and the WebSocket push,
always for an *audience* (`Viewer`), never with the acting user's rights.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class Audience(enum.StrEnum):
    PLANNER = "planner"  # planners of the wedding: everything
    GUESTS = "guests"  # any guest of the wedding: public content only
    HOUSEHOLD = "household"  # one household: its own private data too


@dataclass(frozen=True)
class Viewer:
    """Who a region is rendered for. Regions must only show what this audience may see."""

    wedding: Any
    audience: Audience
    household: Any = None  # set for HOUSEHOLD viewers; GUESTS/PLANNER regions render without it
    # The language the regions are rendered in. Default: planners read the site's language
    # (planner pages are English), guests their household's choice or the wedding's default.
    language: str = ""
    # Whether `wedding` (and `household`) were read together with the page's version
    # (realtime.views.live_page_context): a region context may then use them as they are
    # instead of reading them again (guests.live.fresh_wedding). A socket's viewer lives for
    # the socket's life, so it is never fresh.
    fresh: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if not self.language:
            object.__setattr__(self, "language", viewer_language(self))

    def key(self) -> tuple:
        """Identity for shared renders: same key, same HTML."""
        household_id = self.household.pk if self.audience is Audience.HOUSEHOLD else None
        return (self.wedding.pk, self.audience.value, household_id, self.language)

    def can_see(self, audience: Audience) -> bool:
        if self.audience is Audience.PLANNER:
            return audience in (Audience.PLANNER, Audience.GUESTS)
        if self.audience is Audience.HOUSEHOLD:
            return audience in (Audience.GUESTS, Audience.HOUSEHOLD)
        return audience is Audience.GUESTS

    def for_audience(self, audience: Audience) -> Viewer:
        """The narrowest viewer a region of `audience` is rendered for (shares renders)."""
        if audience is self.audience:
            return self
        return Viewer(
            wedding=self.wedding, audience=audience, household=self.household, language=self.language,
            fresh=self.fresh,
        )


def shared_viewer(viewer: Viewer, audience: Audience) -> Viewer:
    """The viewer a region of `audience` is rendered for, identical for everyone who shares it.

    HOUSEHOLD regions keep the household. PLANNER and GUESTS regions are
    rendered once for the whole audience (the hub shares one render between
    all their sockets), so they get no household: a GUESTS region cannot
    leak one household's data to another even by mistake. Per-household
    content belongs in a HOUSEHOLD region.
    """
    if audience is Audience.HOUSEHOLD:
        return viewer
    narrowed = viewer.for_audience(audience)
    if narrowed.household is None:
        return narrowed
    return Viewer(wedding=viewer.wedding, audience=audience, household=None, language=viewer.language, fresh=viewer.fresh)


def viewer_language(viewer: Viewer) -> str:
    """The language a viewer reads when none was given (see `Viewer.language`)."""
    from django.conf import settings

    from wedding.core.i18n import guest_language

    if viewer.audience is Audience.PLANNER:
        return settings.LANGUAGE_CODE
    return guest_language(viewer.wedding, viewer.household)


@dataclass(frozen=True)
class Region:
    name: str
    audience: Audience
    topics: frozenset[str]
    template: str
    context: Callable[..., dict]
    params: tuple[str, ...] = ()
    tag: str = "div"
    # Optional finer filter: (params, message) -> bool; default: any change of a topic.
    affected: Callable[[dict[str, str], dict], bool] | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    # HOUSEHOLD regions: topics of which they show only the household's own rows (its
    # votes, its requests). A change of another household's row skips them, so one
    # guest's vote is one re-render, not one per watching household.
    own_topics: frozenset[str] = frozenset()
    # Depends on every topic (the activity feed); `topics` is then empty.
    any_topic: bool = False
    # Longest parameter value accepted (an admin list's whole querystring needs more than a name).
    param_length: int = 100

    def depends_on(self, topics: Iterable[str]) -> bool:
        return self.any_topic or not self.topics.isdisjoint(topics)

    def wants(self, topics: Iterable[str], message: dict, household_id: int | None) -> bool:
        """Whether a committed change (its topics and `households` hint) may change this
        region for a viewer of `household_id`."""
        relevant = set(topics) if self.any_topic else self.topics.intersection(topics)
        if not relevant:
            return False
        if not self.own_topics or household_id is None:
            return True
        households = message.get("households") or {}
        return any(
            topic not in self.own_topics
            or topic not in households  # unknown: maybe ours
            or household_id in households[topic]
            for topic in relevant
        )


_registry: dict[str, Region] = {}

ANY_TOPIC = "*"


def register(
    name: str,
    *,
    audience: Audience,
    topics: Iterable[str] | str,
    template: str,
    context: Callable[..., dict],
    params: Iterable[str] = (),
    tag: str = "div",
    affected: Callable[[dict[str, str], dict], bool] | None = None,
    attrs: dict[str, str] | None = None,
    own_topics: Iterable[str] = (),
    param_length: int = 100,
) -> Region:
    """Declare a region. `topics=ANY_TOPIC` re-renders on every change (the activity feed).

    Topics are checked once every app's declarations are in (`realtime.checks`:
    unknown topics and regions that depend on nothing are refused at start-up).
    """
    any_topic = topics == ANY_TOPIC
    topics = frozenset() if any_topic else frozenset(topics)
    own_topics = frozenset(own_topics)
    if own_topics and (audience is not Audience.HOUSEHOLD or not own_topics <= topics):
        raise ValueError(f"region {name!r}: own_topics are for HOUSEHOLD regions, among their topics")
    region = Region(
        name=name, audience=audience, topics=topics, template=template, context=context,
        params=tuple(params), tag=tag, affected=affected, attrs=attrs or {}, own_topics=own_topics,
        any_topic=any_topic, param_length=param_length,
    )
    _registry[name] = region
    return region


def unregister(name: str) -> None:
    """Remove a region (tests that register their own)."""
    _registry.pop(name, None)


def get(name: str) -> Region:
    try:
        return _registry[name]
    except KeyError:
        raise Http404(f"no live region {name!r}") from None


def all_regions() -> dict[str, Region]:
    return dict(_registry)


def clean_params(region: Region, raw: dict[str, Any]) -> dict[str, str]:
    """Only declared parameters, as short strings; anything else is refused."""
    extra = set(raw) - set(region.params)
    if extra:
        raise Http404(f"region {region.name!r} takes no parameter {sorted(extra)}")
    params = {}
    for key in region.params:
        value = raw.get(key)
        if value is None or value == "":
            continue
        value = str(value)
        if len(value) > region.param_length:
            raise Http404("parameter too long")
        params[key] = value
    return params


def dom_id(name: str, params: dict[str, str]) -> str:
    """Stable id of a region's root element: the same on every render and push."""
    if not params:
        return f"live-{name}"
    digest = hashlib.sha1(urlencode(sorted(params.items())).encode()).hexdigest()[:10]
    return f"live-{name}-{digest}"


def fragment_url(name: str, params: dict[str, str], wedding_id: int) -> str:
    query = urlencode({**params, "wedding": wedding_id})
    return f"{reverse('realtime:fragment', args=[name])}?{query}"


def render_region(name: str, viewer: Viewer, params: dict[str, Any] | None = None) -> SafeString:
    """The region's HTML, root element included, for this viewer.

    Rendered without a request on purpose: the output depends only on
    (region, params, audience, data), so one render serves every socket of
    the audience. Forms inside a region post with htmx (the page sends the
    CSRF header) or live outside the region.

    Raises PermissionDenied when the viewer may not see the region and
    Http404 for unknown regions or parameters. Context functions raise
    Http404 for objects outside the viewer's wedding.
    """
    region = get(name)
    if not viewer.can_see(region.audience):
        raise PermissionDenied(f"region {name!r} is not for this audience")
    params = clean_params(region, params or {})
    viewer = shared_viewer(viewer, region.audience)
    # Words, dates and numbers in the viewer's language, times in the wedding's zone: the same
    # HTML whether a page, a fragment request or a socket's push asks (none has a request here).
    with translation.override(viewer.language), timezone.override(viewer.wedding.time_zone):
        context = region.context(viewer, **params)
        context.setdefault("viewer", viewer)
        context.setdefault("wedding", viewer.wedding)
        inner = render_to_string(region.template, context)
    extra = "".join(format_html(' {}="{}"', k, v) for k, v in region.attrs.items())
    return format_html(
        '<{tag} id="{id}" data-live-region="{name}" data-live-params="{params}" '
        'data-live-url="{url}"{extra}>{inner}</{tag}>',
        tag=region.tag,
        id=dom_id(name, params),
        name=name,
        params=urlencode(sorted(params.items())),
        url=fragment_url(name, params, viewer.wedding.pk),
        extra=mark_safe(extra),
        inner=inner,
    )
