from django.urls import path

from . import views

urlpatterns = [
    path("find-your-team/", views.find_your_team, name="find_your_team"),
    path("my-area/", views.remember_my_area, name="remember_my_area"),
]
