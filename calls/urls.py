from django.urls import path

from calls import api

urlpatterns = [
    path("networks/<slug:slug>/calls/", api.NetworkCallsView.as_view(), name="network-calls"),
    path("calls/<int:call_id>/", api.CallView.as_view(), name="call"),
    path("calls/<int:call_id>/publish/", api.PublishView.as_view(), name="call-publish"),
    path("calls/<int:call_id>/close/", api.CloseView.as_view(), name="call-close"),
    path("calls/<int:call_id>/matches/", api.MatchesView.as_view(), name="call-matches"),
    path(
        "calls/<int:call_id>/applications/",
        api.CallApplicationsView.as_view(),
        name="call-applications",
    ),
    path(
        "calls/<int:call_id>/applications.csv",
        api.ApplicationsCsvView.as_view(),
        name="call-applications-csv",
    ),
    path(
        "applications/<int:application_id>/outcome/",
        api.OutcomeView.as_view(),
        name="application-outcome",
    ),
    path(
        "applications/<int:application_id>/<slug:action>/",
        api.ApplicationActionView.as_view(),
        name="application-action",
    ),
    path("my/applications/", api.MyApplicationsView.as_view(), name="my-applications"),
]
