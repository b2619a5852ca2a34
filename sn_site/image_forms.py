"""The admin's image form (WAGTAILIMAGES_IMAGE_FORM_BASE): every image is uploaded with a
description, which is its text alternative wherever it is shown (WCAG 1.1.1)."""

from wagtail.images.forms import BaseImageForm

DESCRIPTION_REQUIRED = "Describe the image for people who cannot see it."


class ImageForm(BaseImageForm):
    """Wagtail's image form (upload, edit, the chooser's upload tab and multiple upload), with the
    description required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        description = self.fields.get("description")
        if description is not None:
            description.required = True
            description.label = "Description (alt text)"
            description.help_text = (
                "What the image shows, for people who cannot see it, such as 'PC Amira Khan in uniform, smiling'. "
                "Screen readers read it out wherever the image is used."
            )
            description.error_messages["required"] = DESCRIPTION_REQUIRED
