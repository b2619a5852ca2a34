"""Find your team: the HTML side of the postcode and position lookup; remembering a visitor's area;
and residents proposing a natural neighbourhood."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from geography.models import FORCE_WEBSITES, PoliceForce
from geography.selectors import LookupFailed, NotInLondon
from sn_site.forms import error_summary
from sn_site.views import too_many_tries

from . import my_area
from .forms import NeighbourhoodProposalForm
from .models import BoroughPage, WardPage, pages_public
from .selectors import ward_lookup
from .services import neighbourhood_proposal_submit
from .throttles import ProposalLimit

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


PROPOSE_TEMPLATE = "priorities/neighbourhood_propose.html"


@require_http_methods(["GET", "HEAD", "POST"])
def neighbourhood_propose(request):
    """A resident proposes a natural neighbourhood; it waits for the borough's officers in their
    "needs your attention" list. The borough comes chosen from the page the link was on
    (?borough=<code>). Only a proposal that is kept counts against the address's limit (every post
    counts against the public forms' own)."""
    if request.method != "POST":
        borough = pages_public(BoroughPage.objects.all()).filter(borough_id=request.GET.get("borough", "")).first()
        return _propose_page(request, NeighbourhoodProposalForm(initial={"borough_page": borough}))
    form = NeighbourhoodProposalForm(request.POST)
    if not form.is_valid():
        return _propose_page(request, form, status=400)
    data = form.cleaned_data
    thanks = f"{reverse('neighbourhood_propose_thanks')}?borough={data['borough_page'].borough_id}"
    if form.is_robot():
        return redirect(thanks)
    limit = ProposalLimit()
    if not limit.allow_request(request, None):
        advice = "Please {when}, or write to your Safer Neighbourhoods Team."
        return too_many_tries(request, advice, retry_after=limit.wait())
    neighbourhood_proposal_submit(
        borough_page=data["borough_page"],
        name=data["name"],
        covers=data["covers"],
        why=data["why"],
        postcode=data["postcode"],
        email=data["email"],
        submission=data["submission"],
    )
    return redirect(thanks)


def _propose_page(request, form, status=200) -> TemplateResponse:
    context = {
        "form": form,
        "errors": error_summary(form),
        "city_police_url": FORCE_WEBSITES[PoliceForce.CITY_OF_LONDON],
    }
    return TemplateResponse(request, PROPOSE_TEMPLATE, context, status=status)


def neighbourhood_propose_thanks(request):
    borough = pages_public(BoroughPage.objects.all()).filter(borough_id=request.GET.get("borough", "")).first()
    return TemplateResponse(request, "priorities/neighbourhood_propose_thanks.html", {"borough_page": borough})
