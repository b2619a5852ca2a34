"""Keep cached lookups true when pages are published, unpublished, moved or deleted: a ward
page's address depends on its own slug and its borough page's."""

from django.db import transaction
from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import BoroughPage, WardPage
from .selectors import lookup_cache_forget


def _pages_changed(sender, **kwargs) -> None:
    transaction.on_commit(lookup_cache_forget)


def connect() -> None:
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_pages_changed, dispatch_uid=f"lookup-cache-{id(signal)}")
    for model in (WardPage, BoroughPage):
        post_delete.connect(_pages_changed, sender=model, dispatch_uid=f"lookup-cache-delete-{model.__name__}")
