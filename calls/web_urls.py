"""Web pages for calls (names live in the "web" namespace)."""

from django.urls import path

from calls import manage_web, web

urlpatterns = [
    path("networks/<str:slug>/calls/", web.network_calls, name="network-calls"),
    path("calls/<int:call_id>/", web.call_page, name="call"),
    path("calls/<int:call_id>/apply/", web.apply, name="call-apply"),
    path("calls/<int:call_id>/withdraw/", web.withdraw, name="call-withdraw"),
    path("my/applications/", web.my_applications, name="my-applications"),
    path("networks/<str:slug>/calls/new/", manage_web.new_call, name="new-call"),
    path("calls/<int:call_id>/edit/", manage_web.edit_call, name="edit-call"),
    path("calls/<int:call_id>/publish/", manage_web.publish_call, name="call-publish"),
    path("calls/<int:call_id>/close/", manage_web.close_call, name="call-close"),
    path("calls/<int:call_id>/manage/", manage_web.dashboard, name="call-dashboard"),
    path(
        "applications/<int:application_id>/decide/",
        manage_web.decide,
        name="application-decide",
    ),
    path(
        "applications/<int:application_id>/outcome/",
        manage_web.record_outcome,
        name="application-outcome",
    ),
]
