from django.urls import path

from meetings import api

urlpatterns = [
    path(
        "networks/<slug:slug>/meetings/",
        api.NetworkMeetingsView.as_view(),
        name="network-meetings",
    ),
    path(
        "networks/<slug:slug>/calendar.ics",
        api.NetworkFeedView.as_view(),
        name="network-calendar",
    ),
    path("meetings/<int:meeting_id>/", api.MeetingView.as_view(), name="meeting"),
    path("meetings/<int:meeting_id>/rsvp/", api.RsvpView.as_view(), name="meeting-rsvp"),
    path(
        "meetings/<int:meeting_id>/attendees/",
        api.AttendeesView.as_view(),
        name="meeting-attendees",
    ),
    path("meetings/<int:meeting_id>/check-in/", api.CheckInView.as_view(), name="meeting-check-in"),
    path("meetings/<int:meeting_id>/ics", api.MeetingIcsView.as_view(), name="meeting-ics"),
    path("calendar-token/", api.CalendarTokenView.as_view(), name="calendar-token"),
]
