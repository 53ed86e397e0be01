"""Signal handlers: they only announce (STYLE: signals only announce).

Connected in `RealtimeConfig.ready()` for the models in `tracking.TRACKED`.
Each handler records the change inside the write's transaction; publishing
happens after commit (see `capture`).
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db.models import QuerySet, signals

from realtime import capture
from realtime.tracking import TRACKED, tracked

logger = logging.getLogger(__name__)


def _wedding_id(instance) -> int | None:
    if instance._meta.label_lower == "wedding.wedding":
        return instance.pk
    return getattr(instance, "wedding_id", None)


def _record(instance, action: str, using: str) -> None:
    spec = tracked(type(instance))
    wedding_id = _wedding_id(instance)
    if spec is None or wedding_id is None:
        return
    try:
        summary = spec.describe(instance, action)
    except Exception:  # a summary must never break a write (e.g. a related row already gone)
        logger.debug("could not describe %r", instance, exc_info=True)
        summary = f"{action} {instance._meta.verbose_name} #{instance.pk}"
    household_id = capture.UNKNOWN
    if spec.household is not None:
        try:
            household_id = spec.household(instance)
        except Exception:  # e.g. the voter is already gone: every household region re-renders
            logger.debug("no household for %r", instance, exc_info=True)
    capture.record_change(
        wedding_id=wedding_id, topic=spec.topic, action=action, model=instance._meta.label_lower,
        object_id=instance.pk, summary=summary, household_id=household_id, using=using,
    )


def on_save(sender, instance, created, raw=False, using="default", **kwargs) -> None:
    if raw:  # fixture loading: not a change anybody made
        return
    _record(instance, "create" if created else "update", using)


def _deleting_a_wedding(origin) -> bool:
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is not None and model._meta.label_lower == "wedding.wedding"


def on_delete(sender, instance, using="default", origin=None, **kwargs) -> None:
    # A wedding's own deletion cascades to all its rows: not changes anyone watches
    # (the log goes too), and logging them would insert rows the cascade already collected.
    if _deleting_a_wedding(origin) or instance._meta.label_lower == "wedding.wedding":
        return
    _record(instance, "delete", using)


def on_m2m(sender, instance, action, reverse, model, pk_set, using="default", **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if action in ("post_add", "post_remove") and not pk_set:
        return  # nothing actually changed (e.g. adding a tag the guest already has)
    if reverse:  # e.g. tag.guests.add(...): the guests changed
        for obj in model._default_manager.using(using).filter(pk__in=pk_set or []):
            _record(obj, "update", using)
    else:
        _record(instance, "update", using)


def register_signal_handlers() -> None:
    for label in TRACKED:
        model = apps.get_model(label)
        uid = f"confetti-realtime-{label}"
        signals.post_save.connect(on_save, sender=model, dispatch_uid=f"{uid}-save")
        signals.post_delete.connect(on_delete, sender=model, dispatch_uid=f"{uid}-delete")
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                signals.m2m_changed.connect(
                    on_m2m, sender=m2m.remote_field.through, dispatch_uid=f"{uid}-{m2m.name}"
                )
