"""The filters the lists of the open data and the survey API accept: checked, with a 400 naming
each one that is wrong, and described in the OpenAPI schema."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from geography.postcodes import PostcodeError, parse_postcode_query

from .models import Priority


class Filters(serializers.Serializer):
    """The filters a list accepts; anything else in the query string is ignored."""

    borough = serializers.RegexField(r"^E09\d{6}$", required=False, help_text="A borough's ONS code (E09...).")
    ward = serializers.RegexField(r"^E05\d{6}$", required=False, help_text="A ward's ONS code (E05...).")
    category = serializers.IntegerField(required=False, min_value=1, help_text="A category id (/categories/).")
    status = serializers.ChoiceField(Priority.Status.values, required=False)
    updated_since = serializers.DateTimeField(
        required=False,
        input_formats=["iso-8601", "%Y-%m-%d"],
        help_text="Only what was published on or after this date or time (ISO 8601; London time if no zone).",
    )
    postcode = serializers.CharField(required=False, help_text="A full postcode, such as SE15 4NB.")

    def validate_postcode(self, value: str) -> str:
        try:
            query = parse_postcode_query(value)
        except PostcodeError:
            query = None
        if query is None or query.kind != "full":
            raise serializers.ValidationError("Enter a full postcode, such as SE15 4NB.")
        return query.value


def list_filters(request, *names) -> dict:
    """The filters of a list, checked: a 400 naming each one that is wrong."""
    given = {name: request.query_params[name] for name in names if name in request.query_params}
    checked = Filters(data=given, partial=True)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


def list_filter_parameters(*names):
    """The filters of a list, for its OpenAPI schema."""
    return [
        OpenApiParameter(name, OpenApiTypes.DATETIME if name == "updated_since" else str, description=field.help_text)
        for name, field in Filters().fields.items()
        if name in names
    ]
