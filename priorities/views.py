"""Find your team: the HTML side of the postcode and position lookup."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .models import FORCE_WEBSITES, PoliceForce
from .selectors import LookupFailed, NotInLondon, ward_lookup

TEMPLATE = "priorities/find_your_team.html"


def find_your_team(request):
    postcode = request.GET.get("postcode")
    lat, lng = request.GET.get("lat"), request.GET.get("lng")
    context = {"postcode": postcode or "", "city_police_url": FORCE_WEBSITES[PoliceForce.CITY_OF_LONDON]}
    if postcode is None and (lat is None or lng is None):
        return TemplateResponse(request, TEMPLATE, context)
    try:
        lookup = ward_lookup(postcode=postcode, latitude=lat, longitude=lng)
    except LookupFailed as error:
        context.update(
            error=error.message,
            not_in_london=isinstance(error, NotInLondon),
            # A failed "use my location" is not the postcode box's fault: don't mark it.
            postcode_error=postcode is not None,
        )
        return TemplateResponse(request, TEMPLATE, context, status=error.status)

    if lookup.postcode is not None and len(lookup.wards) == 1 and lookup.wards[0].page_path:
        return redirect(lookup.wards[0].page_path)
    context.update(
        lookup=lookup,
        met_wards=[ward for ward in lookup.wards if ward.is_policed_by_met],
        city_wards=[ward for ward in lookup.wards if not ward.is_policed_by_met],
    )
    return TemplateResponse(request, TEMPLATE, context)
