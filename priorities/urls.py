from django.urls import path

from . import views

urlpatterns = [
    path("find-your-team/", views.find_your_team, name="find_your_team"),
    path("my-area/", views.remember_my_area, name="remember_my_area"),
    path("propose-a-neighbourhood/", views.neighbourhood_propose, name="neighbourhood_propose"),
    path("propose-a-neighbourhood/thanks/", views.neighbourhood_propose_thanks, name="neighbourhood_propose_thanks"),
]
