from django.apps import AppConfig


class WardPanelsConfig(AppConfig):
    name = "ward_panels"
    verbose_name = "Ward panels"

    def ready(self):
        from django.db.models.signals import pre_delete
        from wagtail.permissions import register_permission_policy

        from priorities.services import officer_group_ensured

        from .models import PanelMember, Survey, WardPanel
        from .permissions import AreaPermissionPolicy, officer_permissions_grant
        from .services import member_answers_delete

        for model in (WardPanel, PanelMember, Survey):
            register_permission_policy(model, AreaPermissionPolicy(model))
        officer_group_ensured.connect(officer_permissions_grant, dispatch_uid="ward-panels-officer-permissions")
        # However a member is deleted (one at a time or in bulk in the admin), their answers go too.
        pre_delete.connect(member_answers_delete, sender=PanelMember, dispatch_uid="ward-panels-member-answers")
