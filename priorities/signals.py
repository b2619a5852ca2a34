"""Keep cached lookups and site search true, and each borough's moderation as its page says; tell
the page cache which cookie changes a page, and the welcome which ward page to try.

A ward page's address depends on its own slug, its borough page's and the site's root, so
publishing, unpublishing, moving or deleting one of those pages, or changing a site, starts the
lookup cache afresh once the change is committed."""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.search import index
from wagtail.signals import page_published, page_unpublished, post_page_move

from geography.services import geography_changed
from sn_site.page_cache import page_cache_forget, vary_on_cookie
from sn_site.welcome import addresses_to_try

from . import my_area
from .demo import ward_page_to_try
from .models import BoroughPage, NeighbourhoodPage, PriorityCategory, WardPage
from .services import (
    borough_moderation_sync,
    lookup_cache_forget,
    neighbourhood_area_refresh,
    neighbourhood_areas_refresh,
)


def _forget_after_commit(sender, **kwargs) -> None:
    transaction.on_commit(lookup_cache_forget)


def _forget_lookups_and_pages(sender, **kwargs) -> None:
    """New postcodes or outlines (the pages' maps), or a page made private or public again: the
    lookups and the pages start afresh."""
    transaction.on_commit(lookup_cache_forget)
    transaction.on_commit(page_cache_forget)


def _forget_if_addresses_change(sender, instance, **kwargs) -> None:
    """Only the site's root and home page, borough pages and ward pages are in a ward page's address;
    a natural neighbourhood's page is in the lookup's answers too."""
    if issubclass(sender, (BoroughPage, WardPage, NeighbourhoodPage)) or instance.depth <= 2:
        transaction.on_commit(lookup_cache_forget)


def _neighbourhood_published(sender, instance, **kwargs) -> None:
    """Its area as published: the postcodes the lookup names it for."""
    neighbourhood_area_refresh(page=instance)


def _neighbourhoods_after_import(sender, **kwargs) -> None:
    transaction.on_commit(neighbourhood_areas_refresh)


def _borough_published(sender, instance, **kwargs) -> None:
    borough_moderation_sync(page=instance)


def _ward_page_reindex(sender, instance, **kwargs) -> None:
    """Wagtail indexes a page when its row is saved, and publishing a revision saves the row before
    the priorities and updates that come with it: without this, search would find what the ward
    page said one publish ago."""
    index.insert_or_update_object(instance)


def _category_changed(sender, instance, created, **kwargs) -> None:
    """Ward pages are searched by the names of their priorities' categories, and show recorded crime
    of the kinds a category matches beside its priorities: a changed category is found by its new
    name, and its crime shown, on every ward page with a priority in it, without waiting for a publish."""
    if not created:
        for page in WardPage.objects.filter(priorities__category=instance).distinct():
            index.insert_or_update_object(page)
        transaction.on_commit(page_cache_forget)


def connect() -> None:
    vary_on_cookie(my_area.COOKIE)  # the home page leads with the remembered area's team
    addresses_to_try.connect(ward_page_to_try, dispatch_uid="priorities-ward-page-to-try")
    page_published.connect(_borough_published, sender=BoroughPage, dispatch_uid="borough-moderation")
    page_published.connect(_neighbourhood_published, sender=NeighbourhoodPage, dispatch_uid="neighbourhood-area")
    geography_changed.connect(_neighbourhoods_after_import, dispatch_uid="neighbourhood-areas-geography")
    page_published.connect(_ward_page_reindex, sender=WardPage, dispatch_uid="ward-page-search")
    post_save.connect(_category_changed, sender=PriorityCategory, dispatch_uid="priority-category-changed")
    geography_changed.connect(_forget_lookups_and_pages, dispatch_uid="lookup-geography")
    # Every page type, the home page's included (it belongs to an app above this one); only pages,
    # as a receiver of every model's deletes would slow every bulk delete (imports) to a crawl.
    for model in (m for m in apps.get_models() if issubclass(m, Page)):
        for signal in (page_published, page_unpublished, post_page_move, post_delete):
            signal.connect(
                _forget_if_addresses_change, sender=model, dispatch_uid=f"lookup-{model.__name__}-{id(signal)}"
            )
    for signal in (post_save, post_delete):
        signal.connect(_forget_after_commit, sender=Site, dispatch_uid=f"lookup-site-{id(signal)}")
        # A page made private (or public again): the lookup, the API answers cached with it, and the
        # pages that list or link it (a borough's wards, its neighbours' maps).
        signal.connect(
            _forget_lookups_and_pages, sender=PageViewRestriction, dispatch_uid=f"lookup-restriction-{id(signal)}"
        )
