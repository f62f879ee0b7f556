"""Web pages for networks, membership and moderation (names live in the "web" namespace)."""

from django.urls import path

from community import web

urlpatterns = [
    path("networks/", web.network_list, name="networks"),
    path("networks/<str:slug>/", web.network_home, name="network"),
    path("networks/<str:slug>/join/", web.join, name="join"),
    path("networks/<str:slug>/leave/", web.leave, name="leave"),
    path("networks/<str:slug>/manage/", web.manage_requests, name="manage-requests"),
    path("networks/<str:slug>/manage/members/", web.manage_members, name="manage-members"),
    path(
        "networks/<str:slug>/manage/members/<int:user_id>/permissions/",
        web.member_permissions,
        name="member-permissions",
    ),
    path(
        "networks/<str:slug>/manage/members/<int:user_id>/<str:action>/",
        web.member_action,
        name="member-action",
    ),
    path(
        "networks/<str:slug>/manage/invitations/",
        web.manage_invitations,
        name="manage-invitations",
    ),
    path(
        "networks/<str:slug>/manage/invitations/<int:invitation_id>/revoke/",
        web.revoke_invitation,
        name="revoke-invitation",
    ),
    path("networks/<str:slug>/manage/audit/", web.manage_audit, name="manage-audit"),
]
