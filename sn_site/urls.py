"""Every app's pages and APIs are mounted here, the one module that imports every app; Wagtail
serves everything else."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from newsletters import urls as newsletters_urls
from open_data import urls as open_data_urls
from priorities import urls as priorities_urls
from priorities.admin_views import PageChooserBrowse, PageChooserChosenMultiple, PageTypesUsage
from ward_panels import urls as ward_panels_urls
from ward_panels.admin_views import SiteHistoryView

from . import operations
from .security import AdminLoginView

# Redoc styles itself with inline styles and lays the page out in a web worker; its one inline
# script carries the request's nonce (templates/sn_site/api_docs.html).
api_docs = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-v1:schema", template_name="sn_site/api_docs.html")
)

api_v1 = [
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="docs"),
    path("", include((open_data_urls.urlpatterns, "open_data"))),
    path("", include((ward_panels_urls.api_urlpatterns, "ward_panels"))),
]

urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    # Wagtail's sign-in page, rate limited per address (before the admin's own URLs, to win).
    path("admin/login/", AdminLoginView.as_view(), name="wagtailadmin_login"),
    # Wagtail's site history report, narrowed to each officer's own area (before the admin's own).
    path("admin/reports/site-history/", require_admin_access(SiteHistoryView.as_view())),
    path("admin/reports/site-history/results/", require_admin_access(SiteHistoryView.as_view(results_only=True))),
    # Wagtail's page chooser, by page id, narrowed to each officer's own area (before the admin's own).
    path("admin/choose-page/<int:parent_page_id>/", require_admin_access(PageChooserBrowse.as_view())),
    path("admin/choose-page/chosen-multiple/", require_admin_access(PageChooserChosenMultiple.as_view())),
    path("admin/reports/page-types-usage/", require_admin_access(PageTypesUsage.as_view())),
    path("admin/reports/page-types-usage/results/", require_admin_access(PageTypesUsage.as_view(results_only=True))),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include((api_v1, "api"), namespace="api-v1")),
    path("api/police-uk/", include((open_data_urls.police_uk_urlpatterns, "police-uk"))),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", home_views.sitemap, name="sitemap"),
    path("favicon.ico", home_views.favicon, name="favicon"),
    path("search/", home_views.search, name="search"),
    path("privacy/", home_views.privacy, name="privacy"),
    path("", include(priorities_urls)),
    path("", include(ward_panels_urls)),
    path("", include(newsletters_urls)),
]

# A clear 503 rather than a 500 while the database is unreachable.
handler500 = operations.server_error

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
