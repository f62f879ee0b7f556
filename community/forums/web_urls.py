"""Web pages for the forums (names live in the "web" namespace)."""

from django.urls import path

from community.forums import web

urlpatterns = [
    path("networks/<str:slug>/forums/", web.forum_home, name="forums"),
    path("networks/<str:slug>/forums/<int:category_id>/", web.category, name="category"),
    path("topics/<int:topic_id>/", web.topic, name="topic"),
    path("topics/<int:topic_id>/reply/", web.reply, name="reply"),
    path("topics/<int:topic_id>/watch/", web.watch_topic, name="watch-topic"),
    path("topics/<int:topic_id>/update/", web.update_topic, name="update-topic"),
    path("topics/<int:topic_id>/delete/", web.delete_topic, name="delete-topic"),
    path("posts/<int:post_id>/edit/", web.edit_post, name="edit-post"),
    path("posts/<int:post_id>/delete/", web.delete_post, name="delete-post"),
    path("posts/<int:post_id>/react/", web.react, name="react"),
]
