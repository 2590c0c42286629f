"""The outbox in the admin: staff see what went, what waits and what
failed, can send an email again, and can change nothing else."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from core.tokens import new_token
from emails.models import EmailStatus
from tests.factories import OutgoingEmailFactory
from tests.support.staff import make_staff_user, sign_in_staff

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:emails_outgoingemail_changelist")


def outbox_row(number, *, status=EmailStatus.QUEUED, kind="registration_confirmed", **fields):
    return OutgoingEmailFactory(
        kind=kind,
        dedupe_key=f"{kind}:{number}",
        to=f"candidate{number}@example.com",
        subject=f"Email {number}",
        message_id=f"<{number}@example.org>",
        status=status,
        **fields,
    )


def test_the_changelist_lists_emails_and_counts_queued_and_failed(admin_client):
    outbox_row(1)
    outbox_row(2, status=EmailStatus.FAILED, last_error="SMTP 550: No such mailbox")
    outbox_row(3, status=EmailStatus.SENT, sent_at=timezone.now())

    page = admin_client.get(CHANGELIST).content.decode()

    assert "candidate1@example.com" in page
    assert "candidate3@example.com" in page
    assert "1 waiting to be sent" in page
    assert "1 failed" in page


def test_the_changelist_filters_by_status_and_kind_and_searches_recipients(admin_client):
    outbox_row(1)
    outbox_row(2, status=EmailStatus.FAILED)
    outbox_row(3, kind="reminder")

    failed = admin_client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    reminders = admin_client.get(CHANGELIST, {"kind": "reminder"}).content.decode()
    found = admin_client.get(CHANGELIST, {"q": "candidate1@"}).content.decode()

    assert "candidate2@example.com" in failed
    assert "candidate1@example.com" not in failed
    assert "candidate3@example.com" in reminders
    assert "candidate1@example.com" not in reminders
    assert "candidate1@example.com" in found
    assert "candidate2@example.com" not in found


@pytest.mark.parametrize("rows", [2, 40])
def test_the_changelist_takes_the_same_queries_for_few_or_many_rows(
    admin_client, django_assert_num_queries, rows
):
    for number in range(rows):
        outbox_row(number)
    admin_client.get(CHANGELIST)  # warm the session and content types

    with django_assert_num_queries(10):
        response = admin_client.get(CHANGELIST)

    assert response.status_code == 200


def test_an_email_is_read_only_in_the_admin(admin_client):
    row = outbox_row(1)
    url = reverse("admin:emails_outgoingemail_change", args=[row.pk])

    page = admin_client.get(url).content.decode()
    attempt = admin_client.post(url, {"to": "someone-else@example.com"})

    row.refresh_from_db()
    assert "candidate1@example.com" in page
    assert 'name="_save"' not in page
    assert attempt.status_code == 403
    assert row.to == "candidate1@example.com"
    assert admin_client.get(reverse("admin:emails_outgoingemail_add")).status_code == 403


def test_resend_puts_a_failed_email_back_in_the_queue(
    admin_client, django_capture_on_commit_callbacks, mailoutbox
):
    row = outbox_row(1, status=EmailStatus.FAILED, attempts=12, last_error="SMTP 451")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST, {"action": "resend", "_selected_action": [row.pk]}, follow=True
        )

    row.refresh_from_db()
    assert "1 email(s) will be sent again." in response.content.decode()
    assert row.status == EmailStatus.SENT
    assert row.attempts == 1
    assert [message.to for message in mailoutbox] == [["candidate1@example.com"]]


def test_staff_who_may_see_the_outbox_get_its_counts_on_the_admin_home(client):
    outbox_row(1)
    outbox_row(2, status=EmailStatus.FAILED)
    staff = make_staff_user(username="staff")
    sign_in_staff(client, staff)
    without = client.get(reverse("admin:index")).content.decode()
    staff.user_permissions.add(Permission.objects.get(codename="view_outgoingemail"))

    page = client.get(reverse("admin:index")).content.decode()

    assert "waiting to be sent" not in without
    assert "1 waiting to be sent" in page
    assert "1 failed" in page


def test_the_outbox_shows_each_lane_with_its_backlog(admin_client):
    from emails.services import queue_email
    from tests.factories import EventFactory

    event = EventFactory()
    queue_email(
        kind="staff_message",
        to="someone@example.org",
        context={"event": event, "subject": "Bring photo ID", "message": "Bring ID."},
        dedupe_key="lanes:1",
    )

    page = admin_client.get("/admin/emails/outgoingemail/").content.decode()

    lanes = page.split('id="outbox-lanes"')[1].split("</table>")[0]
    assert "Transactional" in lanes
    assert "Bulk" in lanes
    bulk = lanes.split("Bulk")[1]
    assert 'data-label="Waiting">1</td>' in bulk


def test_the_outbox_names_kinds_in_words_and_keeps_internal_fields_from_staff(admin_client):
    from emails.services import queue_email
    from tests.factories import EventFactory

    email = queue_email(
        kind="staff_message",
        to="someone@example.org",
        context={"event": EventFactory(), "subject": "Bring photo ID", "message": "Bring ID."},
        dedupe_key="labels:1",
    )

    listing = admin_client.get(CHANGELIST).content.decode()
    row = admin_client.get(f"/admin/emails/outgoingemail/{email.pk}/change/").content.decode()

    assert "Message from staff" in listing
    assert ">staff_message<" not in listing
    assert "Dedupe key" not in row
    assert "Claimed at" not in row
    assert "labels:1" not in row


@pytest.mark.parametrize(
    "lookup",
    [
        "body_text__contains",
        "body_html__contains",
        "subject__contains",
        "headers__icontains",
        "context__icontains",
        "dedupe_key__startswith",
        "about__startswith",
    ],
)
def test_the_list_cannot_be_filtered_on_what_staff_may_not_read(wd_client, lookup):
    """Django lets a changelist filter on any field of its own model: asked
    for `?body_text__contains=/registration/ab`, it would list the row only
    when the token starts so, and the token comes out a letter at a time."""
    token = new_token()
    link = f"https://events.example.org/registration/{token}/"
    outbox_row(
        1,
        body_text=f"Your link: {link}",
        body_html=f'<a href="{link}">Your registration</a>',
        headers={"List-Unsubscribe": f"<{link}>"},
        context={"manage_url": link},
        about="registration:1",
    )

    page = wd_client.get(CHANGELIST, {lookup: f"/registration/{token[:3]}"})

    assert page.status_code == 400
    assert "candidate1@example.com" not in page.content.decode()


def test_the_lists_own_filters_still_work_for_workforce_development(wd_client):
    outbox_row(1, status=EmailStatus.FAILED)
    outbox_row(2, kind="reminder", lane="transactional")

    failed = wd_client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    reminders = wd_client.get(CHANGELIST, {"kind": "reminder", "lane__exact": "transactional"})

    assert "candidate1@example.com" in failed
    assert "candidate2@example.com" not in failed
    assert "candidate2@example.com" in reminders.content.decode()
