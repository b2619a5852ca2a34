"""What ward pages show of their ward panel: the "You said" summaries of closed surveys, and how
to join online. A template tag, so that the ward page (priorities) needs nothing from this app."""

from django import template
from django.db.models import Q
from django.utils import timezone

from ward_panels.models import Survey

register = template.Library()

YOU_SAID_SHOWN = 3


@register.inclusion_tag("ward_panels/includes/you_said.html")
def you_said(ward):
    """The latest published summaries of closed surveys for this ward or its whole borough."""
    summaries = (
        Survey.objects.filter(Q(ward_id=ward.pk) | Q(borough_id=ward.borough_id))
        .filter(summary_published=True, closes_at__lte=timezone.now())
        .exclude(summary="")
        .select_related("informed_priority")
        .order_by("-closes_at")[:YOU_SAID_SHOWN]
    )
    return {"summaries": summaries}
