"""Admin panels of the app's own: a survey's questions, each built with the question form."""

from wagtail.admin.panels import InlinePanel

from .forms import QuestionForm


class QuestionsPanel(InlinePanel):
    """Wagtail's inline panel of a survey's questions, each made with QuestionForm (options one per
    line; only the settings that fit the kind of question). Question is Orderable, so the panel's
    up and down buttons set the order people see."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = QuestionForm
        return options
