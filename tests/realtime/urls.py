"""Only the live URLs: these tests do not depend on every app's admin importing cleanly."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("live/", include("realtime.urls"))]
