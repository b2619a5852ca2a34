"""Wagtail admin forms as the browser posts them, for tests that save pages the way officers do."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text


def ward_page_form(
    page, *, priorities=(), existing=0, team_members=(), events=(), existing_events=0, action="publish"
) -> dict:
    """A ward page's edit form, to publish (or `action`): each section a list of its rows as dicts
    (a priority's "updates" too), the sections not given sent empty; the first `existing`
    priorities are ones the page has, each with its "id" (and so the first `existing_events` events)."""
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "introduction": rich_text(""),
            "priorities": inline_formset(
                [{**row, "updates": inline_formset(list(row.get("updates", [])))} for row in priorities],
                initial=existing,
            ),
            "team_members": inline_formset(list(team_members)),
            "team_links": inline_formset([]),
            "events": inline_formset(list(events), initial=existing_events),
            "survey_summaries": inline_formset([]),
            "comments": inline_formset([]),
            f"action-{action}": action,
        }
    )
