"""Site-wide pages that are not part of the page tree."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.models import Page

from priorities.postcodes import is_postcode_query

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    """Search every published page (wards with their priorities and updates, boroughs, content).
    A postcode goes to the postcode lookup instead: that is what a resident typing one wants."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if is_postcode_query(query):
        return redirect(f"{reverse('find_your_team')}?{urlencode({'postcode': query})}")
    results = None
    if query:
        found = Page.objects.live().public().specific().search(query)
        paginator = Paginator(found, RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            results = paginator.page(1)
    return TemplateResponse(request, "sn_site/search.html", {"query": query, "results": results})


def privacy(request):
    """The privacy notice. Its retention periods are the settings the deleting tasks read, so the
    notice and what actually happens cannot drift apart."""
    context = {
        "controller": settings.SN_DATA_CONTROLLER,
        "contact_email": settings.SN_PRIVACY_CONTACT_EMAIL,
        "subscriber_unconfirmed_days": settings.SN_SUBSCRIBER_UNCONFIRMED_DAYS,
        "subscriber_retention_days": settings.SN_SUBSCRIBER_RETENTION_DAYS,
        "panel_member_retention_days": settings.SN_PANEL_MEMBER_RETENTION_DAYS,
        "survey_retention_days": settings.SN_SURVEY_RETENTION_DAYS,
        "equality_retention_days": settings.SN_EQUALITY_RETENTION_DAYS,
    }
    return TemplateResponse(request, "sn_site/privacy.html", context)
