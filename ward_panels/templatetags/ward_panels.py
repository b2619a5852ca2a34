"""What ward pages show of their surveys: those anyone may answer now. A template tag, so that the
ward page (priorities) needs nothing from this app. (The "You said" summaries of closed surveys are
part of the ward page itself: services.survey_summary_publish puts them there.)"""

from django import template

from ward_panels.selectors import ward_page_open_surveys

register = template.Library()


@register.inclusion_tag("ward_panels/includes/ward_surveys.html")
def ward_surveys(ward):
    """The surveys for this ward or its whole borough that anyone may answer now."""
    return {"open_surveys": ward_page_open_surveys(ward)}
