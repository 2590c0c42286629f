from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify

from core.admin import ReadOnlyAdminMixin
from events.models import Event

from . import queries, report
from .forms import ReportForm
from .models import ReachReport
from .suppression import FEWER_THAN, MIN_ANSWERS

REPORT_PERMISSION = "equality.view_report"


@admin.register(ReachReport)
class ReachReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The report on who our events reach, in place of a change list: the
    answers themselves are never listed, opened or changed here, nor
    registered anywhere else in the admin."""

    def has_view_permission(self, request, obj=None):
        return obj is None and request.user.has_perm(REPORT_PERMISSION)

    def has_module_permission(self, request):
        return request.user.has_perm(REPORT_PERMISSION)

    def get_urls(self):
        # Only the report and its CSV: no change, history or delete pages.
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.report_view), name="equality_reachreport_changelist"),
            path("csv/", wrap(self.csv_view), name="equality_reachreport_csv"),
        ]

    def _report(self, request) -> tuple[ReportForm, report.Report]:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ReportForm(
            request.GET or None,
            today=timezone.localdate(),
            span=queries.first_and_last_event_dates(),
        )
        scope = form.scope()
        if isinstance(scope, Event):
            return form, report.event_report(scope)
        return form, report.period_report(scope.title, scope.first, scope.last)

    def report_view(self, request):
        form, reach = self._report(request)
        context = {
            **self.admin_site.each_context(request),
            "title": "Who our events reach",
            "opts": self.model._meta,
            "form": form,
            "report": reach,
            "query": request.GET.urlencode(),
            "fewer_than": FEWER_THAN,
            "min_answers": MIN_ANSWERS,
        }
        return TemplateResponse(request, "admin/equality/reachreport/report.html", context)

    def csv_view(self, request):
        _, reach = self._report(request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"who-our-events-reach-{slugify(reach.title)[:80]}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        report.write_csv(reach, response)
        return response
