"""The admin for ward panels: panels, members and surveys, each scoped to the officer's area, with
the survey's invited and responded counts, a preview, sending invitations, and its results."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_list_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.models import Page
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from priorities.models import NeighbourhoodPage

from . import admin_views
from .forms import AreaForm, PanelMemberForm
from .models import PanelMember, Survey, WardPanel
from .panels import QuestionsPanel
from .permissions import in_area
from .selectors import NEIGHBOURHOOD_HEAVY_FIELDS


class LinkColumn(Column):
    """A column of links made from each row by a function (text, url)."""

    def __init__(self, name, link, **kwargs):
        super().__init__(name, **kwargs)
        self.link = link

    def get_value(self, instance):
        text, url = self.link(instance)
        return format_html('<a href="{}">{}</a>', url, text) if url else text


class InAreaChooserViewSet(SnippetChooserViewSet):
    """The chooser (the pop-up that picks a panel, member or survey for another form) lists and
    returns only what is in the officer's area, and creates nothing: they are made on their own
    pages, where their area is checked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("choose", "choose_results"):
            view_class = getattr(self, f"{name}_view_class")
            setattr(self, f"{name}_view_class", type(view_class.__name__, (InAreaChoices, view_class), {}))
        self.chosen_view_class = type("SnippetChosenView", (InAreaChosen, self.chosen_view_class), {})
        self.chosen_multiple_view_class = type(
            "SnippetChosenMultipleView", (InAreaChosen, self.chosen_multiple_view_class), {}
        )
        self.create_view_class = type("SnippetCreateView", (NoCreating, self.create_view_class), {})


class InAreaChoices:
    def get_object_list(self):
        return in_area(super().get_object_list(), self.request.user)


class InAreaChosen:
    def get_object(self, pk):
        return in_area(self.model_class.objects.all(), self.request.user).get(pk=pk)

    def get_objects(self, pks):
        return in_area(super().get_objects(pks), self.request.user)


class NoCreating:
    def can_create(self):
        return False


class InAreaViewSet(SnippetViewSet):
    """Wagtail's generic views check model permissions only; these also check that the object is in
    the officer's area (the model's AreaPermissionPolicy) before showing or changing it."""

    chooser_viewset_class = InAreaChooserViewSet

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("edit", "delete", "copy", "usage", "history", "inspect"):
            view_class = getattr(self, f"{name}_view_class")
            setattr(self, f"{name}_view_class", type(view_class.__name__, (InAreaObject, view_class), {}))


class InAreaObject:
    def get_object(self, *args, **kwargs):  # some of Wagtail's views take a queryset, some not
        instance = super().get_object(*args, **kwargs)
        action = "change" if self.permission_required in (None, "change", "delete") else self.permission_required
        if not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, [action, "view"], instance
        ):
            raise PermissionDenied
        return instance


class WardPanelViewSet(InAreaViewSet):
    model = WardPanel
    icon = "group"
    menu_label = "Panels"
    list_display = [
        "__str__",
        "chair",
        Column("member_count", label="Members"),
        LinkColumn(
            "import", lambda panel: ("Import members", reverse("ward_panels_admin:import", args=[panel.pk])), label=""
        ),
    ]
    edit_handler = ObjectList(
        [FieldPanel("ward"), FieldPanel("chair"), FieldPanel("meeting_pattern")], base_form_class=AreaForm
    )

    def get_queryset(self, request):
        return in_area(WardPanel.objects.select_related("ward"), request.user).annotate(member_count=Count("members"))


def consent_status(member: PanelMember) -> str:
    """Whether a member may be contacted, and since when, as officers read it in the member list."""

    def day(moment) -> str:
        return date_format(timezone.localtime(moment), "j F Y")

    if member.consent_given_at and member.confirmed_at:
        return f"Confirmed: agreed {day(member.consent_given_at)}"
    if member.consent_given_at:
        return f"Awaiting confirmation: asked to join online {day(member.consent_given_at)}"
    if member.confirmation_requested_at:
        return f"Awaiting confirmation: emailed {day(member.confirmation_requested_at)}"
    return "Not agreed: sent nothing"


class PanelMemberViewSet(InAreaViewSet):
    model = PanelMember
    icon = "user"
    menu_label = "Members"
    list_display = [
        "name",
        "email",
        "panel",
        Column("consent", label="Consent", accessor=consent_status, sort_key="consent_given_at"),
        "joined_on",
        "left_on",
    ]
    search_fields = ["name", "email"]
    edit_handler = ObjectList(
        [
            FieldPanel("panel"),
            FieldPanel("name"),
            FieldPanel("email"),
            FieldPanel("phone"),
            FieldPanel("postcode"),
            MultiFieldPanel(
                [FieldPanel("consent_given_at"), FieldPanel("consent_wording"), FieldPanel("confirmed_at")],
                heading="Consent",
            ),
            FieldRowPanel([FieldPanel("joined_on"), FieldPanel("left_on")]),
        ],
        base_form_class=PanelMemberForm,
    )

    def get_queryset(self, request):
        return in_area(PanelMember.objects.select_related("panel__ward"), request.user)


class SurveyViewSet(InAreaViewSet):
    model = Survey
    icon = "form"
    menu_label = "Surveys"
    list_display = [
        "title",
        "area_name",
        "audience",
        "opens_at",
        "closes_at",
        Column("invited", label="Invited"),
        Column("responded", label="Responded"),
        LinkColumn("preview", lambda s: ("Preview", reverse("ward_panels_admin:preview", args=[s.pk])), label=""),
        LinkColumn("send", lambda s: ("Send invitations", reverse("ward_panels_admin:send", args=[s.pk])), label=""),
        LinkColumn("results", lambda s: ("Results", reverse("ward_panels_admin:results", args=[s.pk])), label=""),
        LinkColumn(
            "summary",
            lambda s: ("Put on the ward page", reverse("ward_panels_admin:summary", args=[s.pk])),
            label="",
        ),
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("introduction"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("ward"), FieldPanel("borough")]),
                    FieldPanel("neighbourhood", widget=forms.Select),
                ],
                heading="Where",
                help_text="One of these: a ward, a borough (every ward in it), or a natural neighbourhood.",
            ),
            FieldPanel("audience"),
            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading="When"),
            FieldPanel("reminder_after_days"),
            QuestionsPanel("questions", heading="Questions", label="Question", min_num=1),
            MultiFieldPanel(
                [FieldPanel("summary"), FieldPanel("informed_priority")],
                heading="After it closes",
            ),
        ],
        base_form_class=AreaForm,
    )

    def get_queryset(self, request):
        surveys = Survey.objects.select_related("ward", "borough", "neighbourhood").defer(
            *("ward__outline", "borough__outline"),
            *NEIGHBOURHOOD_HEAVY_FIELDS,
        )
        return in_area(surveys, request.user).annotate(
            invited=Count("invitations", distinct=True), responded=Count("responses", distinct=True)
        )


class WardPanelsGroup(SnippetViewSetGroup):
    items = (SurveyViewSet, WardPanelViewSet, PanelMemberViewSet)
    menu_icon = "group"
    menu_label = "Ward panels"
    menu_name = "ward-panels"


register_snippet(WardPanelsGroup)


class InAreaSnippetsDelete(DeleteBulkAction):
    """Wagtail's bulk delete of snippets lists every object asked for by id (sequential ids), those
    the user may not delete too, by name: this one lists only the objects the user has some
    permission on (for panels, members and surveys, those of the officer's own area; their
    AreaPermissionPolicy), and asked only for others' it is a 404."""

    def get_queryset(self, model, object_ids):
        if isinstance(object_ids, list | tuple):
            object_ids = [pk for pk in object_ids if str(pk).isdigit()]
        visible = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["add", "change", "delete", "view"]
        )
        return get_list_or_404(visible.filter(pk__in=object_ids))


# After Wagtail's own (order=1): the last registered for an action is the one used.
hooks.register("register_bulk_action", InAreaSnippetsDelete, order=1)


def _neighbourhoods_surveyed(pages) -> list[str]:
    """The natural neighbourhoods among `pages` and below them that surveys are addressed to, by title."""
    under = Q()
    for page in pages:
        under |= Q(path__startswith=page.path)
    if not under:
        return []
    neighbourhoods = NeighbourhoodPage.objects.filter(under, surveys__isnull=False).distinct()
    return sorted(neighbourhoods.values_list("title", flat=True))


def _kept_for_surveys(request, titles: list[str]) -> None:
    messages.error(
        request,
        f"{', '.join(titles)} cannot be deleted while surveys are addressed to it: their answers would have no "
        "area. Unpublish it instead, or ask an administrator to delete those surveys first.",
    )


@hooks.register("before_delete_page")
def neighbourhood_with_surveys_kept(request, page):
    """A natural neighbourhood that surveys are addressed to (or a borough page above one) is not
    deleted: the surveys keep it (on_delete=PROTECT), and officers are told why, not shown an error."""
    titles = _neighbourhoods_surveyed([page])
    if titles:
        _kept_for_surveys(request, titles)
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_bulk_action")
def neighbourhoods_with_surveys_kept(request, action_type, objects, action_class_instance):
    """The same for deleting pages several at a time."""
    if action_type != "delete":
        return None
    titles = _neighbourhoods_surveyed([item for item in objects if isinstance(item, Page)])
    if titles:
        _kept_for_surveys(request, titles)
        return redirect(action_class_instance.next_url or "wagtailadmin_home")
    return None


@hooks.register("register_admin_urls")
def admin_urls():
    return [
        path(
            "ward-panels/",
            (
                [
                    path("surveys/<int:pk>/preview/", admin_views.survey_preview, name="preview"),
                    path("surveys/<int:pk>/send/", admin_views.invitations_send, name="send"),
                    path("surveys/<int:pk>/results/", admin_views.results, name="results"),
                    path("surveys/<int:pk>/summary/", admin_views.summary_publish, name="summary"),
                    path("panels/<int:pk>/import/", admin_views.members_import, name="import"),
                ],
                "ward_panels_admin",
                "ward_panels_admin",
            ),
        )
    ]


@hooks.register("register_log_actions")
def ward_panel_log_actions(actions):
    actions.register_action("ward_panels.invitations_send", "Send invitations", "Invitations sent")
    actions.register_action("ward_panels.members_import", "Import members", "Members imported")
