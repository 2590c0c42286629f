from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    path("positive-action/", views.RequestSupportView.as_view(), name="request"),
    path("positive-action/sent/", views.RequestSentView.as_view(), name="sent"),
    path("positive-action/withdrawn/", views.WithdrawnView.as_view(), name="withdrawn"),
    path("positive-action/request/<str:token>/", views.RequestDetailView.as_view(), name="detail"),
    path(
        "positive-action/request/<str:token>/withdraw/",
        views.WithdrawRequestView.as_view(),
        name="withdraw",
    ),
]
