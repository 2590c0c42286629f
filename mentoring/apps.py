from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Positive action"

    def ready(self):
        from emails.restrictions import restrict_about

        from .queries import is_team_member

        # Its emails name the candidate and carry the secret link to the
        # request: for the team only, as its admin pages are (a permission
        # given to someone outside the team by mistake shows nothing).
        def may_see(user) -> bool:
            return user.has_perm("mentoring.view_mentoringrequest") and is_team_member(user)

        restrict_about("mentoring_request:", may_see=may_see)
