"""Web pages for the directory and profiles (names live in the "web" namespace)."""

from django.urls import path

from directory import web

urlpatterns = [
    path("directory/", web.directory, name="directory"),
    path("networks/<str:slug>/directory/", web.network_directory, name="network-directory"),
    path("people/<str:username>/", web.profile, name="profile"),
    path("profile/edit/", web.edit_profile, name="edit-profile"),
]
