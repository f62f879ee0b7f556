from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.healthz import healthz
from config.web import favicon

api_v1 = [
    path("", include("community.urls")),
    path("", include("community.forums.urls")),
    path("", include("chat.urls")),
    path("", include("directory.urls")),
    path("", include("search.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("meetings.urls")),
    path("", include("calls.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its initialising script as a file (`?script`), not inline,
    # and the page's styles are a file too (templates/api_docs.html): no CSP exception.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    # The server-rendered web client (config/web_urls.py): last, so API paths win.
    path("", include("config.web_urls")),
]

handler400 = "config.web.bad_request"
handler404 = "config.web.page_not_found"
handler500 = "config.web.server_error"
