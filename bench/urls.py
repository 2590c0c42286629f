"""The product's URLs plus the bare views the figures are compared with."""

from django.urls import include, path

from recruitment.urls import handler403, handler404, handler500  # noqa: F401 - same error pages

from . import views

urlpatterns = [
    path("bench/bare-admin/events/", views.bare_event_list, name="bench_bare_event_list"),
    path("bench/bare/<slug:slug>/", views.bare_event_page, name="bench_bare_page"),
    path("bench/bare/<slug:slug>/register/", views.bare_register, name="bench_bare_register"),
    path("", include("recruitment.urls")),
]
