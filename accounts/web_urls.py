"""The account page (names live in the "web" namespace)."""

from django.urls import path

from accounts import web

urlpatterns = [
    path("account/", web.account, name="account"),
    path("account/tokens/<int:token_id>/revoke/", web.revoke_token, name="revoke-token"),
]
