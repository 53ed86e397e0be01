from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("admin/", admin.site.urls),
    path("live/", include("realtime.urls")),
    path("", include("wedding.songs.urls")),
    path("", include("wedding.photos.urls")),  # gallery and slideshow
    path("", include("wedding.guestbook.urls")),
    path("", include("wedding.tributes.urls")),
    path("", include("guests.urls")),  # guest site: entry, home, directory, who's who, requests
    path("", include("rsvp.urls")),  # household RSVP
    path("", include("wedding.site.urls")),  # the wedding site: /w/<slug>/, its pages and .ics
    path("m/", include("wedding.messaging.urls")),  # unsubscribe, QR codes
    # The guest scripts' words (live status, vote buttons) in the page's language: djangojs.po.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A 500 that is the server's load (no database connection in time) is a 503 with Retry-After.
handler500 = "wedding.core.errors.server_error"
