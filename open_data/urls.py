from django.urls import path

from . import api, police_uk

urlpatterns = [
    path("lookup/", api.LookupApi.as_view(), name="lookup"),
    path("boroughs/", api.BoroughListApi.as_view(), name="borough-list"),
    path("boroughs/<str:code>/", api.BoroughDetailApi.as_view(), name="borough-detail"),
    path("boroughs/<str:code>/crime/", api.BoroughCrimeApi.as_view(), name="borough-crime"),
    path("boroughs/<str:code>/confidence/", api.BoroughConfidenceApi.as_view(), name="borough-confidence"),
    path("wards/", api.WardListApi.as_view(), name="ward-list"),
    path("wards/<str:code>/", api.WardDetailApi.as_view(), name="ward-detail"),
    path("wards/<str:code>/crime/", api.WardCrimeApi.as_view(), name="ward-crime"),
    path("wards/<str:code>/team/", api.WardTeamApi.as_view(), name="ward-team"),
    path("wards/<str:code>/events/", api.WardEventsApi.as_view(), name="ward-events"),
    path("wards/<str:code>/priorities/", api.WardPrioritiesApi.as_view(), name="ward-priorities"),
    path("priorities/", api.PriorityListApi.as_view(), name="priority-list"),
    path("categories/", api.CategoryListApi.as_view(), name="category-list"),
    path("neighbourhoods/", api.NeighbourhoodListApi.as_view(), name="neighbourhood-list"),
    path("neighbourhoods/<str:slug>/", api.NeighbourhoodDetailApi.as_view(), name="neighbourhood-detail"),
]

# police.uk's addresses have no trailing slash: its clients build them as base + path.
police_uk_urlpatterns = [
    path("forces", police_uk.ForceListApi.as_view(), name="forces"),
    path("forces/<str:force>", police_uk.ForceApi.as_view(), name="force"),
    path("forces/<str:force>/people", police_uk.ForcePeopleApi.as_view(), name="force-people"),
    path("locate-neighbourhood", police_uk.LocateNeighbourhoodApi.as_view(), name="locate-neighbourhood"),
    path("<str:force>/neighbourhoods", police_uk.NeighbourhoodListApi.as_view(), name="neighbourhoods"),
    path("<str:force>/<str:neighbourhood>", police_uk.NeighbourhoodApi.as_view(), name="neighbourhood"),
    path("<str:force>/<str:neighbourhood>/people", police_uk.NeighbourhoodPeopleApi.as_view(), name="people"),
    path("<str:force>/<str:neighbourhood>/events", police_uk.NeighbourhoodEventsApi.as_view(), name="events"),
    path(
        "<str:force>/<str:neighbourhood>/priorities", police_uk.NeighbourhoodPrioritiesApi.as_view(), name="priorities"
    ),
    path("<str:force>/<str:neighbourhood>/boundary", police_uk.NeighbourhoodBoundaryApi.as_view(), name="boundary"),
]
