"""JSON shapes for the lookup API."""

from rest_framework import serializers

from .models import FORCE_WEBSITES
from .selectors import ward_page_of


class BoroughOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class WardOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The team's page here, or the force that polices the ward.")
    borough = BoroughOutput()
    policed_by = serializers.CharField(source="borough.police_force")

    def get_url(self, ward) -> str | None:
        page = ward_page_of(ward)
        if page is not None:
            # No request here on purpose: the site's root paths are cached, a request would look the site up.
            return self.context["request"].build_absolute_uri(page.get_url())
        if not ward.borough.is_policed_by_met:
            return FORCE_WEBSITES[ward.borough.police_force]
        return None


class LookupOutput(serializers.Serializer):
    postcode = serializers.CharField(source="postcode.postcode", allow_null=True, default=None)
    query = serializers.CharField(source="query.value", allow_null=True, default=None)
    kind = serializers.CharField(source="query.kind", default="position")
    latitude = serializers.FloatField(source="postcode.latitude", allow_null=True, default=None)
    longitude = serializers.FloatField(source="postcode.longitude", allow_null=True, default=None)
    wards = WardOutput(many=True)
