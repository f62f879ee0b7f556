"""Web pages for chat (names live in the "web" namespace)."""

from django.urls import path

from chat import web

urlpatterns = [
    path("networks/<str:slug>/chat/", web.network_rooms, name="chat"),
    path("rooms/<int:room_id>/", web.room, name="room"),
    path("messages/", web.direct_list, name="direct"),
    path("messages/with/<int:user_id>/", web.open_direct, name="open-direct"),
]
