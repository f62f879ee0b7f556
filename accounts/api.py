"""REST views for registering, signing in (a token per device) and out, and for a person's
own API tokens."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import recovery, tokens
from accounts.actions import do_register_user, do_set_preferences
from accounts.deletion import as_download, do_delete_account, export
from accounts.identity import email_verified
from accounts.models import AuthToken
from accounts.serializers import (
    DeleteAccountSerializer,
    DeviceTokenSerializer,
    LinkSerializer,
    MeSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    PreferencesSerializer,
    RegisteredSerializer,
    RegisterSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from accounts.signup import signup_budget
from core.api import CURSOR, LIMIT, me, page, parse, parse_empty
from core.client_address import request_client_address
from core.errors import NotFound
from core.pagination import paginate
from directory.models import Profile


def _current_token(request: Request) -> AuthToken | None:
    return request.auth if isinstance(request.auth, AuthToken) else None


class RegisterView(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(
        request=RegisterSerializer,
        responses={201: RegisteredSerializer},
        tags=["auth"],
        description="The same answer whether the address is new or already has an account "
        "(then nothing is made and its owner is mailed); a new address is mailed the link "
        "that verifies it.",
    )
    def post(self, request: Request) -> Response:
        data = parse(RegisterSerializer, request)
        with signup_budget(request):
            done = do_register_user(
                data["username"],
                data["email"],
                data["password"],
                data.get("display_name", ""),
                client=request_client_address(request),
                language=get_language() or "",
            )
        return Response({"id": done.id, "username": done.username}, status=status.HTTP_201_CREATED)


class MeView(APIView):
    """Who the request is signed in as; PATCH sets the interface language and the time
    zone (an unknown one is a 400 naming its field)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, tags=["auth"])
    def get(self, request: Request) -> Response:
        user = me(request)
        return Response(self._me(user, getattr(user, "profile", None)))

    @extend_schema(request=PreferencesSerializer, responses={200: MeSerializer}, tags=["auth"])
    def patch(self, request: Request) -> Response:
        data = parse(PreferencesSerializer, request)
        user = me(request)
        do_set_preferences(user, ui_language=data.get("ui_language"), timezone=data.get("timezone"))
        return Response(self._me(user, Profile.objects.filter(user=user).first()))

    @extend_schema(
        request=DeleteAccountSerializer,
        responses={204: None},
        tags=["auth"],
        description=(
            "Delete your account, confirmed by your password. Your profile, directory entry, "
            "photo, notifications, settings, devices and mail go; you leave every network "
            "(the last owner of a network must hand it over first: 409 `last_owner`). With "
            '`content: "keep"` your posts and messages stay, by "Deleted member"; with '
            '`"erase"` their words go too. Nothing of you is left in search.'
        ),
    )
    def delete(self, request: Request) -> Response:
        data = parse(DeleteAccountSerializer, request, partial=True)
        user = me(request)
        do_delete_account(user, data.get("password"), data.get("content"))
        logout(request._request)  # a session that called, if one did, ends now
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _me(user: Any, profile: Profile | None) -> dict[str, Any]:
        return {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "email_verified": email_verified(user),
            "ui_language": getattr(profile, "ui_language", "") or "",
            "timezone": getattr(profile, "timezone", "") or "",
            "is_staff": user.is_staff,
        }


class DataExportView(APIView):
    """Everything the platform holds about you, as one JSON file."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: {"type": "object"}},
        tags=["auth"],
        description=(
            "Your data as a JSON archive (`format`: shabaka-export/1): account and devices, "
            "profile, networks, forum topics and posts with their earlier versions, chat "
            "messages, reactions, notifications, email settings, mail sent to you, and the "
            "parts later features add. A few a day (429 with Retry-After past that)."
        ),
    )
    def get(self, request: Request) -> Response:
        user = me(request)
        return cast(Response, as_download(Response(export(user)), user))


class PasswordResetView(APIView):
    """Ask for a password-reset link: always 202, whether or not the address has an
    account (one that has gets a one-use link valid 24 hours)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "auth"

    @extend_schema(request=PasswordResetSerializer, responses={202: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = parse(PasswordResetSerializer, request)
        recovery.request_password_reset(data["email"], request_client_address(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    """Set a new password with the uid and token of a mailed link: every session, API
    token and socket of the account ends. A used, expired or altered link is a 400
    `invalid_link`."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "auth"

    @extend_schema(request=PasswordResetConfirmSerializer, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = parse(PasswordResetConfirmSerializer, request)
        recovery.do_reset_password(data["uid"], data["token"], data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """Change your password (the current one confirms it is you): every API token and
    socket of the account ends, and every session but this one, if this request came
    with a session (a client using a token signs in again)."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "auth"

    @extend_schema(request=PasswordChangeSerializer, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = parse(PasswordChangeSerializer, request)
        user = me(request)
        recovery.do_change_password(user, data["current_password"], data["new_password"])
        update_session_auth_hash(request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(APIView):
    """Confirm an address with the uid and token of the mailed link (400 `invalid_link`
    for a used, expired or altered one, or one mailed to a previous address)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "auth"

    @extend_schema(request=LinkSerializer, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = parse(LinkSerializer, request)
        recovery.do_verify_email(data["uid"], data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(APIView):
    """Exchange a username and password for a new API token, one per sign-in (device).

    The token is named after the device (`name`, else the User-Agent) on the account
    page, and stops working after 30 days without use or when revoked (auth/logout/).

    No authentication classes: a stale `Authorization` header must not stop a
    client from signing in again. A wrong password is still a 401 (with the
    `WWW-Authenticate: Token` challenge), not the 403 DRF would fall back to.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "auth"

    def get_authenticate_header(self, request: Request) -> str:
        return "Token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = parse(TokenRequestSerializer, request)
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise AuthenticationFailed("Wrong username or password.")
        name = tokens.device_name(data.get("name"), request.headers.get("User-Agent"))
        token, key = tokens.do_issue_token(user, name)
        return Response({"token": key, "id": token.pk, "expiry": token.expiry})


class LogoutView(APIView):
    """Revoke the token this request carries, or end the browser session it came with.

    The sockets opened with that token or session close (4403, docs/websocket.md);
    the user's other devices stay signed in.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        parse_empty(request)
        token = _current_token(request)
        if token is not None:
            tokens.do_revoke_token(request.user, token.pk)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    """Your API tokens, one per signed-in device, most recently used first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(DeviceTokenSerializer, "DeviceTokenPage")},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        rows, cursor = paginate(
            tokens.filter_own_tokens(request.user), request, ["-last_used", "-id"]
        )
        current = _current_token(request)
        context = {"current": current.pk if current is not None else None}
        results = DeviceTokenSerializer(rows, many=True, context=context).data
        return Response({"results": results, "next": cursor})


class TokenDetailView(APIView):
    """Revoke one of your tokens: that device is signed out and its sockets close."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def delete(self, request: Request, token_id: int) -> Response:
        if not 0 < token_id < 2**63:
            raise NotFound()
        tokens.do_revoke_token(request.user, token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
