"""REST views for signing out and for a person's own API tokens."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
from accounts.models import AuthToken
from accounts.serializers import DeviceTokenSerializer
from core.api import CURSOR, LIMIT, page, parse_empty
from core.errors import NotFound
from core.pagination import paginate


def _current_token(request: Request) -> AuthToken | None:
    return request.auth if isinstance(request.auth, AuthToken) else None


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
