from django.urls import path

from . import api, views

urlpatterns = [
    path("find-your-team/", views.find_your_team, name="find_your_team"),
]

api_urlpatterns = [
    path("lookup/", api.LookupApi.as_view(), name="lookup"),
]
