"""The Positive Action team's restricted area. Only members of the Positive
action group (and superusers) see it: the group's permissions (core/groups.py)
open it, and every ModelAdmin here also checks membership, so a permission
given to anyone else by mistake still shows them nothing. Every change goes
through mentoring/services.py."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html

from core.admin import CheckedSelectionMixin
from core.templatetags.govuk_dates import govuk_datetime

from . import queries, services
from .models import WAITING_TOO_LONG, ContactLogEntry, MentoringRequest, RequestStatus

WAITING_LABEL = f"Waiting over {WAITING_TOO_LONG.days} days"


class TeamOnlyMixin:
    """Nothing here for anyone outside the Positive Action team: no menu
    entry, 403 on the pages, and an empty queryset for good measure."""

    def _is_team(self, request) -> bool:
        if not hasattr(request, "_mentoring_team"):
            request._mentoring_team = queries.is_team_member(request.user)
        return request._mentoring_team

    def has_module_permission(self, request):
        return self._is_team(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_team(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_team(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_team(request) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self._is_team(request) else queryset.none()


class WaitingFilter(admin.SimpleListFilter):
    title = "time waiting"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("over", WAITING_LABEL)]

    def queryset(self, request, queryset):
        if self.value() == "over":
            return queryset.waiting_too_long()
        return queryset


class ContactLogInline(TeamOnlyMixin, admin.TabularInline):
    """Each contact is added once and then kept as it was written: the log
    is a record, not a notepad."""

    model = ContactLogEntry
    fields = ["contacted_on", "how", "note", "recorded_by_name"]
    readonly_fields = ["recorded_by_name"]
    extra = 1
    can_delete = False

    def has_add_permission(self, request, obj=None):
        closed = obj is not None and obj.status == RequestStatus.CLOSED
        return self._is_team(request) and not closed and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

    @admin.display(description="Recorded by")
    def recorded_by_name(self, entry):
        user = entry.recorded_by
        return (user.get_full_name() or user.get_username()) if user else "-"


# Labels for the team, not the column names.
CANDIDATE_FIELDS = [
    "name",
    "email",
    "phone",
    "preferred_contact",
    "role_of_interest",
    "journey_stage",
    "support_wanted",
    "why_under_represented",
    "anything_else",
    "consent_given",
    "received",
]


@admin.register(MentoringRequest)
class MentoringRequestAdmin(CheckedSelectionMixin, TeamOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "status", "age", "assigned_mentor", "support_asked_for"]
    list_filter = [
        WaitingFilter,
        "status",
        "journey_stage",
        ("assigned_mentor", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["assigned_mentor"]
    search_fields = ["name", "email"]
    ordering = ["-created_at", "-pk"]
    inlines = [ContactLogInline]
    actions = ["erase_requests"]
    fieldsets = [
        ("What the candidate asked for", {"fields": CANDIDATE_FIELDS}),
        (
            "Our work on it",
            {
                "fields": ["status", "assigned_mentor", "outcome", "closed_at"],
                "description": (
                    "Choosing a mentor sets the status to “Mentor assigned”; recording a "
                    "contact moves a new request to “Contacted”; choosing an outcome closes "
                    "the request. Closed requests are erased after the retention period."
                ),
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # requests come only from candidates, on /positive-action/

    def get_readonly_fields(self, request, obj=None):
        readonly = [*CANDIDATE_FIELDS, "status", "closed_at"]
        if obj is not None and obj.status == RequestStatus.CLOSED:
            readonly += ["assigned_mentor", "outcome"]
        return readonly

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # erase_requests does it through the service
        return actions

    def save_model(self, request, obj, form, change):
        # Nothing is saved from the form itself: save_related applies each
        # change through the services, after the new contacts are recorded.
        pass

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        data = form.cleaned_data
        try:
            if "assigned_mentor" in form.changed_data:
                services.assign_mentor(form.instance, mentor=data["assigned_mentor"])
            if "outcome" in form.changed_data and data["outcome"]:
                services.close_request(form.instance, outcome=data["outcome"])
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)

    def save_formset(self, request, form, formset, change):
        for entry in formset.save(commit=False):
            try:
                services.record_contact(
                    form.instance,
                    how=entry.how,
                    contacted_on=entry.contacted_on,
                    note=entry.note,
                    by=request.user,
                )
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)

    def delete_model(self, request, obj):
        services.erase_requests([obj.pk])

    def delete_queryset(self, request, queryset):
        services.erase_requests(list(queryset.values_list("pk", flat=True)))

    @admin.action(description="Erase selected requests (cannot be undone)", permissions=["delete"])
    def erase_requests(self, request, queryset):
        erased = services.erase_requests(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"{erased} request{'s' if erased != 1 else ''} erased, with their contact logs "
            "and emails.",
        )

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj):
        days = (timezone.now() - obj.created_at).days
        text = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"
        if not obj.is_waiting_too_long():
            return text
        return format_html(
            '<img src="{}" alt="" width="14" height="14"> <strong>{}: {}</strong>',
            static("admin/img/icon-alert.svg"),
            text,
            WAITING_LABEL.lower(),
        )

    @admin.display(description="Support asked for")
    def support_asked_for(self, obj):
        return ", ".join(obj.support_short_labels())

    @admin.display(description="Support asked for")
    def support_wanted(self, obj):
        return "; ".join(obj.support_labels())

    @admin.display(description="Preferred contact")
    def preferred_contact(self, obj):
        return obj.get_contact_method_display()

    @admin.display(description="Role of interest")
    def role_of_interest(self, obj):
        return obj.role.name if obj.role else "Not decided yet"

    @admin.display(description="Why they feel under-represented")
    def why_under_represented(self, obj):
        return obj.under_represented or "They did not say"

    @admin.display(description="Consent given")
    def consent_given(self, obj):
        return govuk_datetime(obj.consented_at)

    @admin.display(description="Received")
    def received(self, obj):
        return govuk_datetime(obj.created_at)
