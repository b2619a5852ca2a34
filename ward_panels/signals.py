"""What ward panels do when something changes: below them (an officers' group made, a category
renamed) or in their own tables (a member deleted, a survey or question changed)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.permissions import register_permission_policy

from priorities.models import PriorityCategory
from priorities.services import officer_group_ensured
from sn_site.page_cache import page_cache_forget
from sn_site.welcome import addresses_to_try

from .demo import demo_survey_to_try
from .models import PanelMember, Question, Survey, WardPanel
from .permissions import AreaPermissionPolicy, officer_permissions_grant
from .services import member_answers_delete, survey_rules_forget


def _pages_changed(sender, **kwargs) -> None:
    transaction.on_commit(page_cache_forget)


def _survey_changed(sender, instance, **kwargs) -> None:
    survey_rules_forget(instance.pk)


def _question_changed(sender, instance, **kwargs) -> None:
    survey_rules_forget(instance.survey_id)


def _categories_changed(sender, **kwargs) -> None:
    survey_rules_forget()


def connect() -> None:
    for model in (WardPanel, PanelMember, Survey):
        register_permission_policy(model, AreaPermissionPolicy(model))
    officer_group_ensured.connect(officer_permissions_grant, dispatch_uid="ward-panels-officer-permissions")
    addresses_to_try.connect(demo_survey_to_try, dispatch_uid="ward-panels-demo-survey-to-try")
    # However a member is deleted (one at a time or in bulk in the admin), their answers go too.
    pre_delete.connect(member_answers_delete, sender=PanelMember, dispatch_uid="ward-panels-member-answers")
    # A survey's "You said" summary shows on ward pages, which anonymous visitors get from the cache.
    post_save.connect(_pages_changed, sender=Survey, dispatch_uid="ward-panels-survey-pages")
    # Answering uses each survey's rules held in every process: start afresh when they change.
    for signal in (post_save, post_delete):
        signal.connect(_survey_changed, sender=Survey, dispatch_uid=f"ward-panels-rules-survey-{id(signal)}")
        signal.connect(_question_changed, sender=Question, dispatch_uid=f"ward-panels-rules-question-{id(signal)}")
        signal.connect(_categories_changed, sender=PriorityCategory, dispatch_uid=f"ward-panels-rules-cat-{id(signal)}")
