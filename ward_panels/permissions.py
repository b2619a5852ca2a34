"""Officers may manage the ward panels and surveys of the wards and boroughs whose pages they
look after (and the surveys of the natural neighbourhoods under their boroughs' pages), and
nothing else; only administrators see everything. The one rule for who may see a survey and its
results, in the admin and through the API alike, is survey_visible_to."""

from django.contrib.auth.models import Permission
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy

from priorities.models import NeighbourhoodPage
from priorities.selectors import officer_boroughs, officer_wards, pages_in_area

from .models import PanelMember, Survey, WardPanel

# What every officers' group may do with ward panels: manage panels, members and surveys. Members
# are deleted with their answers (models.py); surveys are deleted only by administrators.
OFFICER_PERMISSIONS = {
    WardPanel: ("add", "change", "view"),
    PanelMember: ("add", "change", "delete", "view"),
    Survey: ("add", "change", "view"),
}


def officer_permissions_grant(sender, group, **kwargs) -> None:
    for model, actions in OFFICER_PERMISSIONS.items():
        codenames = [f"{action}_{model._meta.model_name}" for action in actions]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="ward_panels", codename__in=codenames))


def in_area(queryset, user):
    """The part of a panel, member or survey queryset in the officer's wards and boroughs (for
    surveys, with the natural neighbourhoods they look after: their boroughs')."""
    if user.is_superuser:
        return queryset
    wards = officer_wards(user).values("code")
    model = queryset.model
    if model is WardPanel:
        return queryset.filter(ward__in=wards)
    if model is PanelMember:
        return queryset.filter(panel__ward__in=wards)
    boroughs = officer_boroughs(user).values("code")
    neighbourhoods = officer_neighbourhoods(user).values("pk")
    return queryset.filter(Q(ward__in=wards) | Q(borough__in=boroughs) | Q(neighbourhood__in=neighbourhoods))


def officer_neighbourhoods(user):
    """The natural neighbourhoods an officer looks after: those under their boroughs' pages."""
    return pages_in_area(NeighbourhoodPage.objects.all(), user)


class AreaPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, narrowed to the officer's own area."""

    def instances_user_has_permission_for(self, user, action):
        return in_area(super().instances_user_has_permission_for(user, action), user)

    def instances_user_has_any_permission_for(self, user, actions):
        return in_area(super().instances_user_has_any_permission_for(user, actions), user)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action) and in_area(self.model.objects.filter(pk=instance.pk), user).exists()
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)


def survey_visible_to(user, survey: Survey) -> bool:
    """Whether someone may see a survey, its preview and its results: the admin's survey pages and
    the results API (whose CSV the admin's results page links to) both ask this. Administrators; an
    officer whose groups may view surveys, for a survey of one of their wards or of their borough
    or of a natural neighbourhood under their borough's page (a ward's officers do not see their
    borough's own surveys, nor its neighbourhoods'); nobody else, signed in or not."""
    if user is None or not user.is_authenticated:
        return False
    return AreaPermissionPolicy(Survey).user_has_permission_for_instance(user, "view", survey)
