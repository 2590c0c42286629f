from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.SubscribeView.as_view(), name="subscribe"),
    path("alerts/check-your-email/", views.SentView.as_view(), name="sent"),
    path("alerts/confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("alerts/manage/<str:token>/", views.ManageView.as_view(), name="manage"),
    path("alerts/unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("alerts/unsubscribed/", views.UnsubscribedView.as_view(), name="unsubscribed"),
]
