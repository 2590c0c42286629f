from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Positive action"

    def ready(self):
        from emails.restrictions import restrict_about

        # Its emails name the candidate and carry the secret link to the request.
        restrict_about("mentoring_request:", permission="mentoring.view_mentoringrequest")
