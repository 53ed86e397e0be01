"""System checks of the live declarations (`<app>/live.py`): they make sense, or start-up says why."""

from __future__ import annotations

from django.core import checks

from realtime import regions, tracking


@checks.register()
def live_declarations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    known = tracking.topics()
    for name, region in sorted(regions.all_regions().items()):
        if region.any_topic:
            continue
        if not region.topics:
            errors.append(checks.Error(
                f"Live region {name!r} depends on no topic, so it would never update.",
                hint="Give it the topics of the models it shows, or topics=ANY_TOPIC.",
                obj=name, id="realtime.E001",
            ))
        unknown = region.topics - known
        if unknown:
            errors.append(checks.Error(
                f"Live region {name!r} depends on unknown topics {sorted(unknown)}.",
                hint=f"Topics are declared with live.track() in an app's live.py; known: {sorted(known)}.",
                obj=name, id="realtime.E002",
            ))
    return errors
