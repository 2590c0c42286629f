from django.contrib import admin, messages
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import format_html

from core.admin import CheckedSelectionMixin
from emails import services
from emails.models import OutgoingEmail
from emails.restrictions import hidden_about_prefixes

from ..redaction import redact
from .wide import WideChangelist

# What each kind of email is, in the words staff use.
KIND_LABELS = {
    "registration_confirmed": "Place confirmed",
    "waiting_list_joined": "On the waiting list",
    "promoted_from_waiting_list": "Place from the waiting list",
    "registration_cancelled": "Cancelled or place given back",
    "registration_link_resent": "Registration link sent again",
    "reminder": "Reminder",
    "event_changed": "Event changed",
    "event_cancelled": "Event cancelled",
    "staff_message": "Message from staff",
    "event_alert": "New event alert",
    "alerts_confirm": "Confirm event alerts",
    "alerts_reconfirm": "Still want event alerts?",
    "mentoring_request_received": "Positive action request received",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).values_list("kind", flat=True).distinct()
        return sorted(((kind, kind_label(kind)) for kind in kinds), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


# The fields the list's filters (list_filter below) read.
FILTERED_FIELDS = {"status", KindFilter.parameter_name, "lane"}


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(CheckedSelectionMixin, WideChangelist, admin.ModelAdmin):
    """The outbox, read-only: what went, what waits and what failed, and a
    way to send an email again. Rows are written only by services.

    Staff never see a live secret link: the text is shown with every link's
    token hidden (staff/redaction.py), and the HTML version, the headers
    (List-Unsubscribe) and the stored context, which hold them too, not at
    all. Resending needs none of them."""

    list_display = ["shown_kind", "to", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", KindFilter, "lane"]
    search_fields = ["to"]
    actions = ["resend"]
    fields = [
        *["shown_kind", "to", "shown_subject", "status", "attempts", "shown_error"],
        *["lane", "created_at", "next_attempt_at", "sent_at"],
        *["message_id", "attachment_names", "shown_text"],
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        emails = super().get_queryset(request)
        for prefix in hidden_about_prefixes(request.user):
            emails = emails.exclude(about__startswith=prefix)
        return emails

    def lookup_allowed(self, lookup, value, request=None):
        """Only the list's own filters. Django allows a lookup on any field
        of the model itself: `?body_text__contains=/registration/ab` would
        list a row only when its token starts so, and the token of a live
        link (in the text, the HTML, the headers or the stored context)
        would come out a letter at a time."""
        return lookup.split(LOOKUP_SEP, 1)[0] in FILTERED_FIELDS

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # No editing a row; change permission on the list allows "Resend".
        return obj is None and super().has_change_permission(request)

    @admin.display(description="Kind", ordering="kind")
    def shown_kind(self, email):
        return kind_label(email.kind)

    @admin.display(description="Subject")
    def shown_subject(self, email):
        return redact(email.shown_subject)

    @admin.display(description="Last error")
    def shown_error(self, email):
        return redact(email.last_error)

    @admin.display(description="Text (secret links hidden)")
    def shown_text(self, email):
        return format_html('<pre class="app-email-text">{}</pre>', redact(email.body_text))

    @admin.display(description="Attachments")
    def attachment_names(self, email):
        return ", ".join(attachment["filename"] for attachment in email.attachments) or "None"

    @admin.action(description="Resend selected emails", permissions=["change"])
    def resend(self, request, queryset):
        resent = [email for email in queryset if services.resend_email(email) is not None]
        skipped = queryset.count() - len(resent)
        self.message_user(request, f"{len(resent)} email(s) will be sent again.")
        if skipped:
            self.message_user(
                request,
                f"{skipped} email(s) skipped: being sent right now, or resent a moment ago.",
                messages.WARNING,
            )
