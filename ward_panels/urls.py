from django.urls import path

from . import api, views

app_name = "ward_panels"

urlpatterns = [
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("surveys/<int:pk>/thank-you/", views.thanks, name="thanks"),
    path("ward-panels/<str:ward_code>/join/", views.join, name="join"),
    path("ward-panels/join/<str:token>/", views.join_confirm, name="join_confirm"),
    path("ward-panels/leave/<str:token>/", views.leave, name="leave"),
]

api_urlpatterns = [
    path("surveys/", api.SurveyListApi.as_view(), name="survey-list"),
    path("surveys/<int:pk>/", api.SurveyApi.as_view(), name="survey"),
    path("surveys/<int:pk>/responses/", api.ResponseApi.as_view(), name="survey-responses"),
    path("surveys/<int:pk>/equality/", api.EqualityApi.as_view(), name="survey-equality"),
    path("surveys/<int:pk>/results/", api.ResultsApi.as_view(), name="survey-results"),
    path("surveys/<int:pk>/results.csv", api.ResultsCsvApi.as_view(), name="survey-results-csv"),
]
