from django.urls import path

from . import views

app_name = "equality"

urlpatterns = [
    path("equality-questions/", views.QuestionnaireView.as_view(), name="questions"),
    path("equality-questions/thank-you/", views.ThanksView.as_view(), name="thanks"),
    path("equality-questions/skipped/", views.SkippedView.as_view(), name="skipped"),
    path(
        "registration/<str:token>/equality-questions/",
        views.RegistrationQuestionnaireView.as_view(),
        name="registration_questions",
    ),
]
