from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Recruitment events"
admin.site.site_title = "Recruitment events admin"
admin.site.index_title = "Run insight events"

urlpatterns = [
    path("admin/", include("staff.urls")),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("", include("events.urls")),
    path("", include("mentoring.urls")),
    path("", include("alerts.urls")),
    path("", include("equality.urls")),
]

handler400 = "core.views.bad_request"
handler404 = "core.views.page_not_found"
handler403 = "core.views.permission_denied"
handler500 = "core.views.server_error"
