from django.urls import path

from . import api, views

urlpatterns = [
    path("find-your-team/", views.find_your_team, name="find_your_team"),
    path("my-area/", views.remember_my_area, name="remember_my_area"),
]

api_urlpatterns = [
    path("lookup/", api.LookupApi.as_view(), name="lookup"),
]
