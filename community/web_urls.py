"""Web pages for networks, membership and moderation (names live in the "web" namespace)."""

from django.urls import path

from community import manage_web, web

urlpatterns = [
    path("networks/", web.network_list, name="networks"),
    path("networks/<str:slug>/", web.network_home, name="network"),
    path("networks/<str:slug>/join/", web.join, name="join"),
    path("networks/<str:slug>/leave/", web.leave, name="leave"),
    path("networks/<str:slug>/manage/", manage_web.manage_requests, name="manage-requests"),
    path("networks/<str:slug>/manage/members/", manage_web.manage_members, name="manage-members"),
    path(
        "networks/<str:slug>/manage/members/<int:user_id>/permissions/",
        manage_web.member_permissions,
        name="member-permissions",
    ),
    path(
        "networks/<str:slug>/manage/members/<int:user_id>/<str:action>/",
        manage_web.member_action,
        name="member-action",
    ),
    path(
        "networks/<str:slug>/manage/invitations/",
        manage_web.manage_invitations,
        name="manage-invitations",
    ),
    path(
        "networks/<str:slug>/manage/invitations/<int:invitation_id>/revoke/",
        manage_web.revoke_invitation,
        name="revoke-invitation",
    ),
    path("networks/<str:slug>/manage/audit/", manage_web.manage_audit, name="manage-audit"),
]
