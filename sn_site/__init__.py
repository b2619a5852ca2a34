"""The Safer Neighbourhoods site: configuration and the site shell."""

from .celery import app as celery_app

__all__ = ("celery_app",)
