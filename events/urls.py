from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.EventListView.as_view(), name="home"),
    path("events/", views.EventListView.as_view(), name="list"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("events/<slug:slug>/register/", views.RegisterView.as_view(), name="register"),
    path("events/<slug:slug>/register/done/", views.RegisteredView.as_view(), name="registered"),
    path("registration/<str:token>/", views.ManageRegistrationView.as_view(), name="manage"),
    path(
        "registration/<str:token>/cancel/",
        views.CancelRegistrationView.as_view(),
        name="cancel",
    ),
    path(
        "registration/<str:token>/give-back/",
        views.GiveBackView.as_view(),
        name="give_back",
    ),
    path(
        "registration/<str:token>/calendar.ics",
        views.CalendarFileView.as_view(),
        name="calendar",
    ),
]
