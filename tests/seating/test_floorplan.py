"""The floor plan to scale: footprints, no overlaps, the room and its objects, the default event."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from seating import services
from seating.floorplan import Box, footprint, layout
from seating.models import FloorObject, FloorPlan
from seating.services import SeatingError
from tests import factories

ACTION = {"HTTP_X_CONFETTI_ACTION": "1"}


def test_footprints_grow_with_capacity_and_follow_the_unit():
    assert footprint(10, "round")[0] > footprint(8, "round")[0]
    assert footprint(12, "rect")[0] > footprint(12, "rect")[1]  # a long table
    metres, feet = footprint(8, "round", "m"), footprint(8, "round", "ft")
    assert feet[0] == pytest.approx(metres[0] * 3.2808, rel=0.01)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100), st.integers(1, 14), st.sampled_from(["round", "rect", "square"])), max_size=40))
def test_layout_never_overlaps_and_stays_in_the_room(tables):
    items = [(i, x, y, *footprint(c, shape)) for i, (x, y, c, shape) in enumerate(tables)]
    dance = Box(10, 5, 6, 6)
    boxes, width, length = layout(items, 30, 20, fixed=[dance])
    placed = list(boxes.values())
    assert len(placed) == len(items)
    for i, a in enumerate(placed):
        assert a.left >= 0 and a.top >= 0 and a.left + a.width <= width + 1e-6 and a.top + a.length <= length + 1e-6
        assert not a.overlaps(dance)
        assert not any(a.overlaps(b) for b in placed[i + 1:])


def test_a_free_stored_spot_is_kept_and_200_tables_lay_out_quickly():
    boxes, *_ = layout([(1, 50, 50, 3, 3)], 30, 20)
    assert boxes[1] == Box(13.5, 8.5, 3, 3)
    rng = random.Random(1)
    items = [(i, rng.uniform(0, 100), rng.uniform(0, 100), *footprint(8, "round")) for i in range(200)]
    import time

    started = time.monotonic()
    boxes, width, length = layout(items, 30, 20)
    assert time.monotonic() - started < 2 and len(boxes) == 200 and length > 20  # the room grew


def test_room_and_objects_services_check_their_input(wedding, event):
    plan = services.floor_plan_set(event=event, width=25, length="18.5", unit="m")
    assert (plan.width, plan.length, plan.unit) == (25, 18.5, "m")
    for bad in ({"width": 0, "length": 5, "unit": "m"}, {"width": "nan", "length": 5, "unit": "m"},
                {"width": 5, "length": 5, "unit": "yards"}, {"width": 5000, "length": 5, "unit": "m"}):
        with pytest.raises(SeatingError):
            services.floor_plan_set(event=event, **bad)
    assert FloorPlan.objects.get(event=event).width == 25
    obj = services.floor_object_add(event=event, kind="dance", label="", x=50, y=50, width=8, length=6)
    assert str(obj) == "Dance floor"
    with pytest.raises(SeatingError, match="Choose what to place"):
        services.floor_object_add(event=event, kind="pool")
    moved = services.floor_object_move(obj=obj, x=10, y=200)
    assert (moved.x, moved.y) == (10, 100)


def test_chart_draws_objects_and_the_room_to_scale(planner_client, wedding, event):
    services.floor_plan_set(event=event, width=20, length=10, unit="m")
    factories.TableFactory(event=event, name="Table 1", x=0, y=0)
    page = planner_client.get(reverse("admin:seating-chart", args=[wedding.pk, event.pk]))
    html = page.content.decode()
    assert "width: 1200px; height: 600px" in html  # 20 × 10 m at 60 px a metre
    added = planner_client.post(
        reverse("admin:seating-object-add", args=[wedding.pk, event.pk]),
        {"kind": "stage", "label": "Band", "x": 0, "y": 0, "width": 4, "length": 3}, **ACTION,
    )
    assert added.json() == {"ok": True, "message": "Placed Band."}
    html = planner_client.get(reverse("admin:seating-chart", args=[wedding.pk, event.pk])).content.decode()
    assert "floor-object kind-stage" in html and 'data-testid="legend"' in html
    obj = FloorObject.objects.get()
    gone = planner_client.post(reverse("admin:seating-object-delete", args=[wedding.pk, event.pk, obj.pk]), **ACTION)
    assert gone.json()["ok"] and not FloorObject.objects.exists()
    bad = planner_client.post(reverse("admin:seating-room", args=[wedding.pk, event.pk]), {"width": "x", "length": 2, "unit": "m"}, **ACTION)
    assert bad.status_code == 422 and "must be a number" in bad.json()["message"]


def test_seating_opens_on_the_first_event_with_tables(planner_client, wedding):
    ceremony = factories.EventFactory(wedding=wedding, name="Ceremony", order=1)
    reception = factories.EventFactory(wedding=wedding, name="Reception", order=2)
    factories.TableFactory(event=reception)
    response = planner_client.get(reverse("admin:seating-chart-first", args=[wedding.pk]))
    assert response["Location"] == reverse("admin:seating-chart", args=[wedding.pk, reception.pk])
    assert ceremony.pk != reception.pk
