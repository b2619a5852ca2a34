"""Keep cached lookups and site search true, and each borough's moderation as its page says.

A ward page's address depends on its own slug, its borough page's and the site's root, so
publishing, unpublishing, moving or deleting one of those pages, or changing a site, starts the
lookup cache afresh once the change is committed."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction, Site
from wagtail.search import index
from wagtail.signals import page_published, page_unpublished, post_page_move

from sn_site.models import HomePage

from .models import BoroughPage, PriorityCategory, WardPage
from .services import borough_moderation_sync, lookup_cache_forget


def _forget_after_commit(sender, **kwargs) -> None:
    transaction.on_commit(lookup_cache_forget)


def _borough_published(sender, instance, **kwargs) -> None:
    borough_moderation_sync(page=instance)


def _ward_page_reindex(sender, instance, **kwargs) -> None:
    """Wagtail indexes a page when its row is saved, and publishing a revision saves the row before
    the priorities and updates that come with it: without this, search would find what the ward
    page said one publish ago."""
    index.insert_or_update_object(instance)


def _category_reindex(sender, instance, created, **kwargs) -> None:
    """Ward pages are searched by the names of their priorities' categories: a renamed category is
    found by its new name on every ward page with a priority in it, without waiting for a publish."""
    if not created:
        for page in WardPage.objects.filter(priorities__category=instance).distinct():
            index.insert_or_update_object(page)


def connect() -> None:
    page_published.connect(_borough_published, sender=BoroughPage, dispatch_uid="borough-moderation")
    page_published.connect(_ward_page_reindex, sender=WardPage, dispatch_uid="ward-page-search")
    post_save.connect(_category_reindex, sender=PriorityCategory, dispatch_uid="priority-category-search")
    for model in (HomePage, BoroughPage, WardPage):
        for signal in (page_published, page_unpublished, post_page_move, post_delete):
            signal.connect(_forget_after_commit, sender=model, dispatch_uid=f"lookup-{model.__name__}-{id(signal)}")
    for signal in (post_save, post_delete):
        signal.connect(_forget_after_commit, sender=Site, dispatch_uid=f"lookup-site-{id(signal)}")
        # A page made private (or public again): the lookup, and the API answers cached with it.
        signal.connect(
            _forget_after_commit, sender=PageViewRestriction, dispatch_uid=f"lookup-restriction-{id(signal)}"
        )
