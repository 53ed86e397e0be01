"""Guest site pages (mounted at the site root by wedding/urls.py)."""

from __future__ import annotations

from django.urls import path

from guests import views

app_name = "guests"

urlpatterns = [
    path("", views.entry, name="entry"),
    path("i/<str:code>/", views.invitation_link, name="invitation"),
    path("signin/<str:token>/", views.signin_link, name="signin"),
    path("find/", views.find, name="find"),
    path("signout/", views.sign_out, name="signout"),
    path("language/", views.language_set, name="language"),
    path("home/", views.home, name="home"),
    path("directory/", views.directory, name="directory"),
    path("whos-who/", views.whos_who, name="whos_who"),
    path("requests/", views.requests_page, name="requests"),
]
