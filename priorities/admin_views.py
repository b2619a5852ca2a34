"""Wagtail's admin views that name pages of any area, narrowed to the officer's own: mounted before
the admin's own in sn_site/urls.py. (The page chooser's browsing and searching are narrowed by the
construct_page_chooser_queryset hook in wagtail_hooks.py; its two views here take ids from the URL.)"""

from django.http import Http404
from wagtail.admin.views import chooser
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.models import Page

from .selectors import pages_explorable, pages_in_area


class PageChooserBrowse(chooser.BrowseView):
    """Browsing the children of a page outside the officer's area (or above it) is a 404, not its
    title."""

    def get(self, request, parent_page_id=None):
        if parent_page_id and not pages_explorable(Page.objects.filter(pk=parent_page_id), request.user).exists():
            raise Http404
        return super().get(request, parent_page_id)


class PageChooserChosenMultiple(chooser.ChosenMultipleView):
    """The chosen pages, by id: only those of the officer's area (others are left out)."""

    def get(self, request):
        ids = [pk for pk in request.GET.getlist("id") if pk.isdigit()]
        theirs = pages_in_area(Page.objects.filter(pk__in=ids), request.user).values_list("pk", flat=True)
        query = request.GET.copy()
        query.setlist("id", [str(pk) for pk in theirs])
        request.GET = query
        return super().get(request)


class PageTypesUsage(PageTypesUsageReportView):
    """Wagtail's page types report names the last edited page of each type, whatever its area (a
    draft of another borough's, say): for an officer, only one of their own area's."""

    def decorate_paginated_queryset(self, page_types):
        page_types = super().decorate_paginated_queryset(page_types)
        ids = [item.last_edited_page.pk for item in page_types if item.last_edited_page]
        theirs = set(pages_in_area(Page.objects.filter(pk__in=ids), self.request.user).values_list("pk", flat=True))
        for item in page_types:
            if item.last_edited_page and item.last_edited_page.pk not in theirs:
                item.last_edited_page = None
        return page_types
