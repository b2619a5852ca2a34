"""The officers' side of the admin: panels on the admin home (their wards, each a link to "Update my
ward"; what needs their attention, residents' proposals of natural neighbourhoods among it), and
the proposals' own pages; Wagtail's page bulk actions, page chooser and images API narrowed to the
officer's own area, and the priority categories, chosen by searching their names."""

from django.shortcuts import get_list_or_404
from django.urls import path
from rest_framework.authentication import SessionAuthentication
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.pages.bulk_actions.delete import DeleteBulkAction
from wagtail.admin.views.pages.bulk_actions.move import MoveBulkAction
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.admin.views.pages.bulk_actions.unpublish import UnpublishBulkAction
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.images.models import Image
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .forms import CategorySearchForm
from .models import PriorityCategory, WardPage
from .selectors import officer_dashboard, pages_explorable, pages_in_area, wards_to_update

# More wards than this (an administrator's, who may edit all of London's) are not listed one by one.
WARDS_LISTED = 40


class UpdateMyWardPanel(Component):
    name = "update_my_ward"
    template_name = "priorities/admin/update_my_ward_panel.html"
    order = 40  # first: the job officers come for

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        wards = list(wards_to_update(self.user)[: WARDS_LISTED + 1])
        context["wards"] = wards if len(wards) <= WARDS_LISTED else None
        context["many"] = len(wards) > WARDS_LISTED
        return context


@hooks.register("construct_homepage_panels")
def add_update_my_ward_panel(request, panels):
    panels.append(UpdateMyWardPanel(request.user))


class UpdateWardButton(PageMenuItem):
    label = "Update my ward"
    icon_name = "list-ul"
    url_name = "priorities_ward_update"

    def is_shown(self, user):
        return isinstance(self.page.specific_deferred, WardPage) and self.page.permissions_for_user(user).can_edit()


@hooks.register("register_page_header_buttons")
def update_ward_header_button(page, user, view_name, next_url=None):
    """Beside a ward page's Edit: its after-meeting update, for anyone reaching it from Pages (an
    administrator, whose admin home does not list all of London's wards)."""
    yield UpdateWardButton(page=page, priority=12)


@hooks.register("register_page_listing_more_buttons")
def update_ward_listing_button(page, user, next_url=None):
    yield UpdateWardButton(page=page, priority=3)


@hooks.register("register_admin_urls")
def ward_update_urls():
    return [
        path("wards/<int:pk>/update/", admin_views.ward_update, name="priorities_ward_update"),
        path(
            "boroughs/<int:pk>/neighbourhood-proposals/",
            admin_views.neighbourhood_proposals,
            name="priorities_neighbourhood_proposals",
        ),
        path(
            "neighbourhood-proposals/<int:pk>/",
            admin_views.neighbourhood_proposal_decide,
            name="priorities_neighbourhood_proposal_decide",
        ),
    ]


class NeedsAttentionPanel(Component):
    name = "needs_attention"
    template_name = "priorities/admin/needs_attention.html"
    order = 50  # above Wagtail's own panels

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["dashboard"] = officer_dashboard(self.user)
        return context


@hooks.register("construct_homepage_panels")
def add_needs_attention_panel(request, panels):
    panels.append(NeedsAttentionPanel(request.user))


def only_ids(object_ids):
    """The ids as asked for (a list of strings from the query, or a queryset for "all"), without
    anything that is not a number."""
    if isinstance(object_ids, list | tuple):
        return [pk for pk in object_ids if str(pk).isdigit()]
    return object_ids


class InAreaPages:
    """A bulk action's confirmation page lists the pages asked for by id (sequential ids), even
    those the user may not act on ("You don't have permission to ..."): an officer's lists only the
    pages of their own area, and asked only for others' it is a 404."""

    def get_queryset(self, model, object_ids):
        return get_list_or_404(pages_in_area(model.objects.filter(pk__in=only_ids(object_ids)), self.request.user))


# Registered after Wagtail's own (order=1): the last registered for an action is the one used.
for _action in (DeleteBulkAction, MoveBulkAction, PublishBulkAction, UnpublishBulkAction):
    hooks.register("register_bulk_action", type(_action.__name__, (InAreaPages, _action), {}), order=1)


@hooks.register("construct_page_chooser_queryset")
def page_chooser_in_area(pages, request):
    """The page chooser (browsing and searching) offers an officer their own area's pages only (and
    the pages above it, to reach it)."""
    return pages_explorable(pages, request.user)


class CategoryChooseView(ChooseView):
    filter_form_class = CategorySearchForm


class CategoryChooseResultsView(ChooseResultsView):
    filter_form_class = CategorySearchForm


class PriorityCategoryChooserViewSet(SnippetChooserViewSet):
    choose_view_class = CategoryChooseView
    choose_results_view_class = CategoryChooseResultsView


class PriorityCategoryViewSet(SnippetViewSet):
    """Administrators keep the list; officers choose from it on a priority, every category on one
    page of the chooser, with a search box above."""

    model = PriorityCategory
    icon = "tag"
    search_fields = ["name"]
    chooser_viewset_class = PriorityCategoryChooserViewSet
    chooser_per_page = 100


register_snippet(PriorityCategoryViewSet)


class ChoosableImagesAPIViewSet(ImagesAdminAPIViewSet):
    """The admin's images API (which the admin's scripts use to show chosen images) lists every
    image to anyone who may use the admin; this one only those in the collections the user may
    choose from: an officer's own area's photos."""

    authentication_classes = [SessionAuthentication]  # the admin's signed-in user, as Wagtail's pages API has

    def get_queryset(self):
        policy = policy_registry.get_by_type(Image)
        collections = policy.collections_user_has_permission_for(self.request.user, "choose")
        return super().get_queryset().filter(collection__in=collections)


@hooks.register("construct_admin_api", order=1)  # after Wagtail's own "images" endpoint, to replace it
def images_api_in_area(router):
    router.register_endpoint("images", ChoosableImagesAPIViewSet)
