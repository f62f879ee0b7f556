"""Web pages for the directory and profiles (names live in the "web" namespace)."""

from django.urls import path

from directory import photo_web, web

urlpatterns = [
    path("directory/", web.directory, name="directory"),
    path("networks/<str:slug>/directory/", web.network_directory, name="network-directory"),
    path("people/<str:username>/", web.profile, name="profile"),
    path("profile/edit/", web.edit_profile, name="edit-profile"),
    path("profile/photo/", photo_web.upload_photo, name="upload-photo"),
    path("profile/photo/remove/", photo_web.remove_photo, name="remove-photo"),
    path("media/photos/<str:name>", photo_web.photo_file, name="photo-file"),
]
