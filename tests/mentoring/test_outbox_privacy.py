"""A positive-action request's email names the candidate and carries the
secret link: only the Positive Action team may see it in the outbox."""

from django.contrib.auth.models import Permission
from django.test import Client

from emails.models import OutgoingEmail
from mentoring import services
from tests.support.staff import make_staff_user, sign_in_staff

from .support import make_request


def outbox_page(user) -> str:
    client = Client()
    sign_in_staff(client, user)
    return client.get("/admin/emails/outgoingemail/").content.decode()


def test_workforce_development_cannot_see_mentoring_emails_in_the_outbox(workforce_user):
    request, _ = make_request(email="private.person@example.com")
    email = OutgoingEmail.objects.get(about=f"mentoring_request:{request.pk}")

    workforce_view = outbox_page(workforce_user)
    superuser_view = outbox_page(make_staff_user(username="root", superuser=True))
    client = Client()
    sign_in_staff(client, workforce_user)
    detail = client.get(f"/admin/emails/outgoingemail/{email.pk}/change/")

    assert "private.person@example.com" not in workforce_view
    assert detail.status_code in {302, 404}
    assert "private.person@example.com" not in detail.content.decode()
    assert "private.person@example.com" in superuser_view


def test_a_withdrawn_requests_blanked_email_stays_hidden_from_workforce_development(
    workforce_user,
):
    request, _ = make_request(email="private.person@example.com")
    email = OutgoingEmail.objects.get(about=f"mentoring_request:{request.pk}")
    services.withdraw_request(request)
    client = Client()
    sign_in_staff(client, workforce_user)

    listed = client.get("/admin/emails/outgoingemail/").content.decode()
    detail = client.get(f"/admin/emails/outgoingemail/{email.pk}/change/")
    superuser_view = outbox_page(make_staff_user(username="root", superuser=True))

    email.refresh_from_db()
    assert email.about == "mentoring_request:"
    assert email.kind not in listed
    assert f"/admin/emails/outgoingemail/{email.pk}/change/" not in listed
    assert detail.status_code in {302, 404}
    assert f"/admin/emails/outgoingemail/{email.pk}/change/" in superuser_view


def test_a_mentoring_permission_given_by_mistake_still_shows_no_mentoring_email(workforce_user):
    """The team's own pages check membership of the group, not only the
    permission (mentoring/admin.py); the outbox asked for the permission
    alone, so a stray one showed the candidates' emails."""
    request, _ = make_request(email="private.person@example.com")
    workforce_user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="mentoring", codename="view_mentoringrequest"
        )
    )
    email = OutgoingEmail.objects.get(about=f"mentoring_request:{request.pk}")
    client = Client()
    sign_in_staff(client, workforce_user)

    listed = client.get("/admin/emails/outgoingemail/").content.decode()
    detail = client.get(f"/admin/emails/outgoingemail/{email.pk}/change/")

    assert "private.person@example.com" not in listed
    assert detail.status_code in {302, 404}
