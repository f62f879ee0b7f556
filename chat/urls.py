from django.urls import path

from chat import api

urlpatterns = [
    path("networks/<str:slug>/rooms/", api.RoomListView.as_view(), name="chat-rooms"),
    path("direct/", api.DirectRoomView.as_view(), name="chat-direct"),
    path("rooms/<int:room_id>/", api.RoomDetailView.as_view(), name="chat-room"),
    path("rooms/<int:room_id>/messages/", api.MessageListView.as_view(), name="chat-messages"),
    path("rooms/<int:room_id>/events/", api.EventListView.as_view(), name="chat-events"),
    path("rooms/<int:room_id>/read/", api.ReadView.as_view(), name="chat-read"),
    path("messages/<int:message_id>/", api.MessageDetailView.as_view(), name="chat-message"),
    path(
        "messages/<int:message_id>/reactions/",
        api.ReactionView.as_view(),
        name="chat-message-reactions",
    ),
]
