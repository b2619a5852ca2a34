"""The officers' side of the admin: a panel on the admin home of what needs their attention."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from .selectors import officer_dashboard


class NeedsAttentionPanel(Component):
    name = "needs_attention"
    template_name = "priorities/admin/needs_attention.html"
    order = 50  # above Wagtail's own panels

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["dashboard"] = officer_dashboard(self.user)
        return context


@hooks.register("construct_homepage_panels")
def add_needs_attention_panel(request, panels):
    panels.append(NeedsAttentionPanel(request.user))
