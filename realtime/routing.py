from django.urls import path

from realtime.consumers import ChatConsumer

websocket_urlpatterns = [path("ws/", ChatConsumer.as_asgi())]
