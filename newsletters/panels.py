"""The "Sending" panel at the top of an issue's edit form: the way to the send page and its test
copy, in plain sight. The page header's own buttons sit in a "more" menu, where officers did not
find them."""

from django.urls import reverse
from wagtail.admin.panels import Panel


class SendingPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletters/admin/sending_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            if page.pk:
                context["send_url"] = reverse("newsletters_admin:send", args=[page.pk])
                context["may_send"] = page.permissions_for_user(self.request.user).can_publish()
            return context
