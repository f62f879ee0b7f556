"""Web pages for meetings (names live in the "web" namespace)."""

from django.urls import path

from meetings import organize_web, web

urlpatterns = [
    path("networks/<str:slug>/meetings/", web.network_meetings, name="network-meetings"),
    path("networks/<str:slug>/meetings/calendar/", web.calendar_month, name="meetings-calendar"),
    path("meetings/<int:meeting_id>/", web.meeting_page, name="meeting"),
    path("meetings/<int:meeting_id>/rsvp/", web.answer, name="meeting-rsvp"),
    path("networks/<str:slug>/meetings/new/", organize_web.new_meeting, name="new-meeting"),
    path("meetings/<int:meeting_id>/edit/", organize_web.edit_meeting, name="edit-meeting"),
    path("meetings/<int:meeting_id>/cancel/", organize_web.cancel_meeting, name="cancel-meeting"),
    path("meetings/<int:meeting_id>/attendees/", organize_web.attendees, name="meeting-attendees"),
    path("meetings/<int:meeting_id>/check-in/", organize_web.check_in, name="meeting-check-in"),
]
