from django.contrib import admin, messages
from django.utils.html import format_html

from emails import services
from emails.models import OutgoingEmail
from emails.restrictions import hidden_about_prefixes

from ..redaction import redact


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: what went, what waits and what failed, and a
    way to send an email again. Rows are written only by services.

    Staff never see a live secret link: the text is shown with every link's
    token hidden (staff/redaction.py), and the HTML version, the headers
    (List-Unsubscribe) and the stored context, which hold them too, not at
    all. Resending needs none of them."""

    list_display = ["kind", "to", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to"]
    actions = ["resend"]
    fields = [
        *["kind", "to", "shown_subject", "status", "attempts", "shown_error"],
        *["created_at", "next_attempt_at", "enqueued_at", "claimed_at", "sent_at"],
        *["message_id", "dedupe_key", "about", "attachment_names", "shown_text"],
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        emails = super().get_queryset(request)
        for prefix in hidden_about_prefixes(request.user):
            emails = emails.exclude(about__startswith=prefix)
        return emails

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # No editing a row; change permission on the list allows "Resend".
        return obj is None and super().has_change_permission(request)

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
