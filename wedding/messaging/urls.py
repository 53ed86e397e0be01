from __future__ import annotations

from django.urls import path

from wedding.messaging import views

app_name = "messaging"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("address/", views.mailing_address, name="address"),
]
