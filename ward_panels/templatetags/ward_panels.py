"""What ward and natural neighbourhood pages show of their surveys: those anyone may answer now.
Template tags, so that the pages (priorities) need nothing from this app. (The "You said"
summaries of closed surveys are part of the ward page itself: services.survey_summary_publish puts
them there.)"""

from django import template

from ward_panels.selectors import neighbourhood_page_open_surveys, ward_page_open_surveys

register = template.Library()


@register.inclusion_tag("ward_panels/includes/ward_surveys.html")
def ward_surveys(ward):
    """The surveys for this ward or its whole borough that anyone may answer now."""
    return {"open_surveys": ward_page_open_surveys(ward)}


@register.inclusion_tag("ward_panels/includes/ward_surveys.html")
def neighbourhood_surveys(page):
    """The surveys for this natural neighbourhood that anyone may answer now."""
    return {"open_surveys": neighbourhood_page_open_surveys(page)}
