"""What Wagtail's "Compare" views show of a change, so that someone approving it sees all of it:
dates as people here write them, child objects inside child objects (a priority's "we did"
updates), and added or removed child objects said in words, not only by a pale background colour.

Wagtail's InlinePanel compares its children field by field, and its template shows each field's
`htmldiff`. A child relation inside a child (an InlinePanel in an InlinePanel) has none there, so
it came out empty: use ComparedInlinePanel for both levels."""

import functools

from django.db import models
from django.utils.html import escape, format_html, format_html_join
from wagtail.admin import compare
from wagtail.admin.panels import InlinePanel

from .formats import written_date


class DateFieldComparison(compare.FieldComparison):
    """A date (or a date and time) as 19 September 2026, not 2026-09-19."""

    def htmldiff(self):
        before, after = written_date(self.val_a), written_date(self.val_b)
        if self.val_a == self.val_b:
            return escape(before)
        return compare.TextDiff(
            [(change, text) for change, text in (("deletion", before), ("addition", after)) if text]
        ).to_html()


# DateTimeField is a DateField: this covers both, on every model the admin compares.
compare.register_comparison_class(models.DateField, comparison_class=DateFieldComparison)


class ChangeNote:
    """The first line of a child object that was added or removed, saying so."""

    is_field = True
    is_child_relation = False

    def __init__(self, added: bool):
        self.added = added

    def field_label(self):
        return "Change"

    def htmldiff(self):
        return format_html(
            '<span class="{}">{}</span>', *(("addition", "Added") if self.added else ("deletion", "Removed"))
        )

    def has_changed(self):
        return False


class ChildObjectComparison(compare.ChildObjectComparison):
    def get_field_comparisons(self):
        comparisons = super().get_field_comparisons()
        if self.is_addition() or self.is_deletion():
            comparisons.insert(0, ChangeNote(added=bool(self.is_addition())))
        return comparisons


class ChildRelationComparison(compare.ChildRelationComparison):
    """Wagtail's, with its children's additions and removals said in words, and an `htmldiff` for
    when it is itself a field of a child object."""

    def get_child_comparison(self, obj_a, obj_b):
        return ChildObjectComparison(self.field.related_model, self.field_comparisons, obj_a, obj_b)

    def htmldiff(self):
        children = []
        for child in self.get_child_comparisons():
            state = "addition" if child.is_addition() else "deletion" if child.is_deletion() else ""
            fields = format_html_join(
                "\n",
                "<dt>{}</dt><dd>{}</dd>",
                ((field.field_label(), field.htmldiff()) for field in child.get_field_comparisons()),
            )
            children.append(
                format_html(
                    '<div class="comparison__child-object {}"><dl class="comparison__list">{}</dl></div>', state, fields
                )
            )
        return format_html_join("\n", "{}", ((child,) for child in children)) if children else "None"


class ComparedInlinePanel(InlinePanel):
    """An InlinePanel whose comparison is ChildRelationComparison above."""

    class BoundPanel(InlinePanel.BoundPanel):
        def get_comparison(self):
            return [
                functools.partial(ChildRelationComparison, *comparison.args, **comparison.keywords)
                for comparison in super().get_comparison()
            ]
