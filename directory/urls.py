from django.urls import path

from directory import api

urlpatterns = [
    path("profile/", api.MyProfileView.as_view(), name="my-profile"),
    path("profile/photo/", api.MyPhotoView.as_view(), name="my-photo"),
    path("profiles/<str:username>/", api.ProfileView.as_view(), name="profile"),
    path("directory/", api.DirectoryView.as_view(), name="directory"),
    path(
        "networks/<slug:slug>/directory/",
        api.NetworkDirectoryView.as_view(),
        name="network-directory",
    ),
]
