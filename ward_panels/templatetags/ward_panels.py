"""What ward pages show of their surveys: those anyone may answer now, the "You said" summaries of
closed ones, and how to join the panel online. A template tag, so that the ward page (priorities)
needs nothing from this app."""

from django import template

from ward_panels.selectors import ward_page_surveys

register = template.Library()


@register.inclusion_tag("ward_panels/includes/ward_surveys.html")
def ward_surveys(ward):
    """The surveys for this ward or its whole borough: every open one, and the latest summaries."""
    surveys = ward_page_surveys(ward)
    return {"open_surveys": surveys.open, "summaries": surveys.you_said}
