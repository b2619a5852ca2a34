"""Form fields about places, for the forms of the apps above."""

from django import forms

from .models import Postcode
from .postcodes import MAX_INPUT_LENGTH, parse_postcode_query
from .selectors import LookupFailed, NotInLondon, PostcodeMissing, PostcodeNotFound, postcode_query


class PostcodeField(forms.CharField):
    """A person's own postcode: a full London postcode the site holds, kept formatted ("se155db" is
    kept as "SE15 5DB"), or "" where it is optional and left empty. A sector, a district, a postcode
    outside London or one nobody can find is refused, saying which: what it decides (the natural
    neighbourhood whose news or surveys someone gets) needs the whole postcode."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_INPUT_LENGTH)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "postal-code"}))
        super().__init__(**kwargs)
        self.error_messages["max_length"] = self._say("Enter a full postcode, such as SE15 5DB")

    def _say(self, message: str) -> str:
        return message if self.required else f"{message}, or leave it empty"

    def clean(self, value) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            query = postcode_query(text)
        except PostcodeMissing:
            return ""
        except NotInLondon:
            raise forms.ValidationError(self._say("Enter a London postcode")) from None
        except PostcodeNotFound:  # written as a postcode, in no postcode area at all
            raise forms.ValidationError(
                self._say(f"We could not find {parse_postcode_query(text).value}. Check your postcode")
            ) from None
        except LookupFailed:  # not a postcode
            raise forms.ValidationError(self._say("Enter a full postcode, such as SE15 5DB")) from None
        if query.kind != "full":
            raise forms.ValidationError(self._say(f"Enter your full postcode, not only {query.value}"))
        if not Postcode.objects.filter(postcode=query.value).exists():
            raise forms.ValidationError(self._say(f"We could not find {query.value} in London. Check your postcode"))
        return query.value
