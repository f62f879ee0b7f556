from django.urls import path

from community.forums import api

urlpatterns = [
    path(
        "networks/<str:slug>/categories/",
        api.CategoryListView.as_view(),
        name="forum-categories",
    ),
    path(
        "networks/<str:slug>/categories/<int:category_id>/topics/",
        api.TopicListView.as_view(),
        name="forum-topics",
    ),
    path("topics/<int:topic_id>/", api.TopicDetailView.as_view(), name="forum-topic"),
    path(
        "topics/<int:topic_id>/restore/", api.TopicRestoreView.as_view(), name="forum-topic-restore"
    ),
    path("topics/<int:topic_id>/watch/", api.TopicWatchView.as_view(), name="forum-topic-watch"),
    path("topics/<int:topic_id>/posts/", api.PostListView.as_view(), name="forum-posts"),
    path("posts/<int:post_id>/", api.PostDetailView.as_view(), name="forum-post"),
    path("posts/<int:post_id>/restore/", api.PostRestoreView.as_view(), name="forum-post-restore"),
    path(
        "posts/<int:post_id>/revisions/",
        api.PostRevisionListView.as_view(),
        name="forum-post-revisions",
    ),
    path(
        "posts/<int:post_id>/reactions/",
        api.PostReactionsView.as_view(),
        name="forum-post-reactions",
    ),
]
