"""Every app's pages and APIs are mounted here; Wagtail serves everything else."""

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from newsletters import urls as newsletters_urls
from priorities import urls as priorities_urls
from ward_panels import urls as ward_panels_urls

from . import views

api_v1 = [
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularRedocView.as_view(url_name="api-v1:schema", template_name="sn_site/api_docs.html"),
        name="docs",
    ),
    path("", include((priorities_urls.api_urlpatterns, "priorities"))),
    path("", include((ward_panels_urls.api_urlpatterns, "ward_panels"))),
]

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include((api_v1, "api"), namespace="api-v1")),
    path("api/police-uk/", include((priorities_urls.police_uk_urlpatterns, "police-uk"))),
    path("search/", views.search, name="search"),
    path("", include(priorities_urls)),
    path("", include(ward_panels_urls)),
    path("", include(newsletters_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
