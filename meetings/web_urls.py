"""Web pages for meetings (names live in the "web" namespace)."""

from django.urls import path

from meetings import web

urlpatterns = [
    path("networks/<str:slug>/meetings/", web.network_meetings, name="network-meetings"),
    path("meetings/<int:meeting_id>/", web.meeting_page, name="meeting"),
    path("meetings/<int:meeting_id>/rsvp/", web.answer, name="meeting-rsvp"),
]
