"""What ward and borough pages show of their newsletters: the latest issues, archived on the site.
A template tag, so that those pages (priorities) need nothing from this app."""

from django import template

from newsletters.models import NewsletterPage

register = template.Library()

ARCHIVE_SHOWN = 5


@register.inclusion_tag("newsletters/includes/archive.html")
def newsletter_archive(page):
    if not page.numchild:  # most pages have no issue yet: no query for them
        return {"issues": []}
    issues = NewsletterPage.objects.live().child_of(page).order_by("-first_published_at")[:ARCHIVE_SHOWN]
    return {"issues": list(issues)}
