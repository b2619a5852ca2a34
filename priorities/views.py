"""Find your team: the HTML side of the postcode and position lookup."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from geography.models import FORCE_WEBSITES, PoliceForce
from geography.selectors import LookupFailed, NotInLondon

from . import my_area
from .models import WardPage
from .selectors import ward_lookup

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
            error_code=error.code,
            location_error=postcode is None,
            # A failed "use my location", or a good postcode outside London, is not the postcode
            # box's fault: don't mark it.
            postcode_error=postcode is not None and not isinstance(error, NotInLondon),
        )
        return TemplateResponse(request, TEMPLATE, context, status=error.status)

    one_team = lookup.postcode is not None and len(lookup.wards) == 1 and lookup.wards[0].page_path
    if one_team and not lookup.neighbourhoods:  # else the answer names its neighbourhoods beside the ward
        return redirect(lookup.wards[0].page_path)
    place = lookup.wards[0] if lookup.postcode is not None else None  # one postcode, one ward
    context.update(
        lookup=lookup,
        met_wards=[ward for ward in lookup.wards if ward.is_policed_by_met],
        city_wards=[ward for ward in lookup.wards if not ward.is_policed_by_met],
        city_ward=place if place is not None and not place.is_policed_by_met else None,
    )
    return TemplateResponse(request, TEMPLATE, context)


@require_http_methods(["GET", "HEAD", "POST"])
def remember_my_area(request):
    """GET: explain and ask. POST: remember the ward on this device (or, with forget, stop), then go
    back. Pages link here rather than carrying the form, so they set no cookie of their own."""
    ward_page = (
        WardPage.objects.live()
        .select_related("ward")
        .filter(ward_id=request.GET.get("ward") or request.POST.get("ward", ""))
        .first()
    )
    if request.method != "POST":  # GET and HEAD only ever show the page
        if ward_page is None:
            return redirect("/")
        context = {"ward_page": ward_page, "is_my_area": my_area.my_area_code(request) == ward_page.ward_id}
        return TemplateResponse(request, "priorities/my_area.html", context)
    response = redirect(ward_page.url if ward_page else "/")
    if "forget" in request.POST or ward_page is None:
        response.delete_cookie(my_area.COOKIE, samesite="Lax")
    else:
        response.set_signed_cookie(
            my_area.COOKIE,
            ward_page.ward_id,
            salt=my_area.SALT,
            max_age=my_area.MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
