"""Wedding.objects.check_planner: the one permission rule every service uses."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from wedding.core.models import Wedding

pytestmark = pytest.mark.django_db


def test_a_planner_may_act_on_their_wedding_only(planner, wedding, other_wedding):
    Wedding.objects.check_planner(planner, wedding.pk)
    Wedding.objects.check_planner(planner, wedding.pk, system_allowed=False)
    with pytest.raises(PermissionDenied, match="Only the wedding's planners"):
        Wedding.objects.check_planner(planner, other_wedding.pk)


def test_superusers_plan_every_wedding_and_inactive_users_none(wedding):
    Wedding.objects.check_planner(factories.UserFactory(is_superuser=True), wedding.pk)
    retired = factories.UserFactory(is_active=False)
    wedding.planners.add(retired)
    with pytest.raises(PermissionDenied):
        Wedding.objects.check_planner(retired, wedding.pk)


def test_the_system_acts_only_where_allowed(wedding):
    Wedding.objects.check_planner(None, wedding.pk)  # a command: realtime.context says who
    with pytest.raises(PermissionDenied):
        Wedding.objects.check_planner(None, wedding.pk, system_allowed=False)
