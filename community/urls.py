from django.urls import path

from community import api, grants_api

urlpatterns = [
    path("networks/", api.NetworkListView.as_view(), name="network-list"),
    path("networks/<str:slug>/", api.NetworkDetailView.as_view(), name="network-detail"),
    path("networks/<str:slug>/join/", api.JoinView.as_view(), name="network-join"),
    path("networks/<str:slug>/leave/", api.LeaveView.as_view(), name="network-leave"),
    path("networks/<str:slug>/members/", api.MemberListView.as_view(), name="network-members"),
    # Before the member actions, whose <action> would take "permissions" too.
    path(
        "networks/<str:slug>/members/<int:user_id>/permissions/",
        grants_api.MemberPermissionsView.as_view(),
        name="network-member-permissions",
    ),
    path(
        "networks/<str:slug>/members/<int:user_id>/<str:action>/",
        api.MemberActionView.as_view(),
        name="network-member-action",
    ),
    path(
        "networks/<str:slug>/invitations/",
        api.InvitationListView.as_view(),
        name="network-invitations",
    ),
    path(
        "networks/<str:slug>/invitations/<int:invitation_id>/",
        api.InvitationDetailView.as_view(),
        name="network-invitation",
    ),
    path("networks/<str:slug>/audit-log/", api.AuditLogView.as_view(), name="network-audit-log"),
]
