from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from reports import views as report_views

urlpatterns = [
    path("", include("tasks.urls")),
    path("", include("targets.urls")),
    path("", include("reports.urls")),
    path("", include("dashboards.urls")),
    # A reporter with work waiting lands on 我的填报 (reports/views.py LoginView).
    path("accounts/login/", report_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

# Error pages in Chinese, in the site's frame (nanyang_tracker/errors.py); used when DEBUG is off.
handler400 = "nanyang_tracker.errors.bad_request"
handler403 = "nanyang_tracker.errors.permission_denied"
handler404 = "nanyang_tracker.errors.page_not_found"
handler500 = "nanyang_tracker.errors.server_error"
