"""REST views for the forums: parse, call one action or query, serialize.

Every view needs a signed-in user (forums are read by members and, for public
networks, by anyone signed in); visibility is decided by `forums.access`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community.forums import access, actions, queries
from community.forums.models import Post, Topic
from community.forums.serializers import (
    CategoryCreateSerializer,
    CategorySerializer,
    PostCreateSerializer,
    PostReactionSerializer,
    PostRevisionSerializer,
    PostSerializer,
    PostUpdateSerializer,
    TopicCreatedSerializer,
    TopicCreateSerializer,
    TopicDetailSerializer,
    TopicSerializer,
    TopicUpdateSerializer,
)
from core.api import CURSOR, LIMIT, me, page, parse
from core.errors import InvalidInput, NotAllowed
from core.pagination import paginate, parse_limit
from permissions import checks

TAGS = ["forums"]
AFTER = OpenApiParameter(
    "after", int, description="Only posts after this post id (what a live client already has)."
)
EMOJI = OpenApiParameter(
    "emoji", str, description="The emoji to remove (or send `{emoji}` in the body)."
)


def _after(request: Request) -> int | None:
    """`?after=<post id>`: only posts after that one (what a live client already has)."""
    raw = request.query_params.get("after")
    if raw is None or raw == "":
        return None
    try:
        after = int(raw)
    except ValueError:
        after = -1
    if not 0 <= after < 2**63:
        raise InvalidInput(
            "invalid", "after must be a post id.", {"after": ["Not a non-negative integer."]}
        )
    return after


def _post_context(request: Request, posts: list[Post], topic: Topic) -> dict[str, Any]:
    return {
        "reactions": queries.reaction_summaries(posts, request.user),
        "reveal_deleted": access.may_see_deleted(request.user, topic.network),
    }


def _post_response(request: Request, post: Post, code: int = status.HTTP_200_OK) -> Response:
    context = _post_context(request, [post], post.topic)
    return Response(PostSerializer(post, context=context).data, status=code)


def _topic_response(request: Request, topic_id: int) -> Response:
    topic = access.access_topic(request.user, topic_id)
    context = {"watching": queries.is_watching(request.user, topic)}
    return Response(TopicDetailSerializer(queries.topic_row(topic.pk), context=context).data)


class CategoryListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(CategorySerializer, "CategoryPage")},
        tags=TAGS,
        summary="A network's forum categories, in their display order",
    )
    def get(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        rows, next_cursor = paginate(
            queries.list_categories(network), request, queries.CATEGORY_ORDER
        )
        return Response({"results": CategorySerializer(rows, many=True).data, "next": next_cursor})

    @extend_schema(
        request=CategoryCreateSerializer,
        responses={201: CategorySerializer},
        tags=TAGS,
        summary="Create a category (moderators)",
    )
    def post(self, request: Request, slug: str) -> Response:
        network = checks.access_network_content(request.user, slug)
        access.check_can_create_category(request.user, network)
        data = parse(CategoryCreateSerializer, request)
        category = actions.do_create_category(me(request), network, **data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class TopicListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(TopicSerializer, "TopicPage")},
        tags=TAGS,
        summary="Topics of a category: pinned first, then latest activity",
    )
    def get(self, request: Request, slug: str, category_id: int) -> Response:
        network = checks.access_network_content(request.user, slug)
        category = access.access_category(request.user, network, category_id)
        cursor = request.query_params.get("cursor")
        rows, next_cursor = queries.topic_page(category, cursor, parse_limit(request))
        return Response({"results": TopicSerializer(rows, many=True).data, "next": next_cursor})

    @extend_schema(
        request=TopicCreateSerializer,
        responses={201: TopicCreatedSerializer},
        tags=TAGS,
        summary="Open a topic; its body becomes the first post",
        description="Members who may post; `moderators_only_post` categories: moderators. "
        "Bodies are Markdown of at most 64 KiB (413 beyond).",
    )
    def post(self, request: Request, slug: str, category_id: int) -> Response:
        network = checks.access_network_content(request.user, slug)
        category = access.access_category(request.user, network, category_id)
        access.check_can_open_topic(request.user, category)
        data = parse(TopicCreateSerializer, request)
        topic, first = actions.do_create_topic(me(request), category, data["title"], data["body"])
        context = _post_context(request, [first], topic)
        context["first_post"] = first
        context["watching"] = queries.is_watching(request.user, topic)
        return Response(
            TopicCreatedSerializer(queries.topic_row(topic.pk), context=context).data,
            status=status.HTTP_201_CREATED,
        )


class TopicDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TopicDetailSerializer}, tags=TAGS, summary="A topic")
    def get(self, request: Request, topic_id: int) -> Response:
        return _topic_response(request, topic_id)

    @extend_schema(
        request=TopicUpdateSerializer,
        responses={200: TopicDetailSerializer},
        tags=TAGS,
        summary="Edit a topic: the author renames; moderators pin, lock and move",
        description="All fields are optional and applied together or not at all. "
        "`category` moves the topic to another category of the same network.",
    )
    def patch(self, request: Request, topic_id: int) -> Response:
        topic = access.access_topic(request.user, topic_id)
        data = parse(TopicUpdateSerializer, request)
        actions.do_update_topic(
            me(request),
            topic,
            title=data.get("title"),
            pinned=data.get("pinned"),
            locked=data.get("locked"),
            category_id=data.get("category"),
        )
        return _topic_response(request, topic_id)

    @extend_schema(
        request=None,
        responses={200: TopicDetailSerializer},
        tags=TAGS,
        summary="Delete a topic (moderators; soft, restorable)",
    )
    def delete(self, request: Request, topic_id: int) -> Response:
        topic = access.access_topic(request.user, topic_id)
        actions.do_delete_topic(me(request), topic)
        return _topic_response(request, topic_id)


class TopicRestoreView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: TopicDetailSerializer},
        tags=TAGS,
        summary="Restore a deleted topic (moderators)",
    )
    def post(self, request: Request, topic_id: int) -> Response:
        topic = access.access_topic(request.user, topic_id)
        actions.do_restore_topic(me(request), topic)
        return _topic_response(request, topic_id)


class TopicWatchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None},
        tags=TAGS,
        summary="Watch a topic: be notified of every reply",
        description="Starting or replying to a topic watches it by default. 404 for a "
        "topic you cannot read.",
    )
    def put(self, request: Request, topic_id: int) -> Response:
        topic = access.access_topic(request.user, topic_id)
        actions.do_set_watching(me(request), topic, True)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={204: None},
        tags=TAGS,
        summary="Stop watching a topic",
        description="Replying again later does not watch it again: the choice is kept.",
    )
    def delete(self, request: Request, topic_id: int) -> Response:
        topic = access.access_topic(request.user, topic_id)
        actions.do_set_watching(me(request), topic, False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[AFTER, CURSOR, LIMIT],
        responses={200: page(PostSerializer, "PostPage")},
        tags=TAGS,
        summary="A topic's posts in order",
        description="Deleted posts keep their place with `deleted: true` and an empty body "
        "(moderators see the body).",
    )
    def get(self, request: Request, topic_id: int) -> Response:
        topic = access.access_topic(request.user, topic_id)
        posts = queries.list_posts(topic, after=_after(request))
        rows, next_cursor = paginate(posts, request, ("id",))
        context = _post_context(request, rows, topic)
        return Response(
            {"results": PostSerializer(rows, many=True, context=context).data, "next": next_cursor}
        )

    @extend_schema(
        request=PostCreateSerializer,
        responses={201: PostSerializer},
        tags=TAGS,
        summary="Reply to a topic",
        description="Members who may post. A locked topic refuses replies with 403 "
        "`topic_locked` (moderators excepted). Bodies are Markdown of at most 64 KiB.",
    )
    def post(self, request: Request, topic_id: int) -> Response:
        topic = access.access_topic(request.user, topic_id)
        access.check_can_reply(request.user, topic)
        data = parse(PostCreateSerializer, request)
        post = actions.do_reply(me(request), topic, data["body"], data.get("reply_to"))
        return _post_response(request, post, status.HTTP_201_CREATED)


class PostDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PostSerializer}, tags=TAGS, summary="A post")
    def get(self, request: Request, post_id: int) -> Response:
        return _post_response(request, access.access_post(request.user, post_id))

    @extend_schema(
        request=PostUpdateSerializer,
        responses={200: PostSerializer},
        tags=TAGS,
        summary="Edit a post (its author, or a moderator)",
        description="Sets `edited_at`; the previous body is kept as a revision.",
    )
    def patch(self, request: Request, post_id: int) -> Response:
        post = access.access_post(request.user, post_id)
        access.check_can_edit_post(request.user, post)
        data = parse(PostUpdateSerializer, request)
        return _post_response(request, actions.do_edit_post(me(request), post, data["body"]))

    @extend_schema(
        request=None,
        responses={200: PostSerializer},
        tags=TAGS,
        summary="Delete a post (its author, or a moderator): soft, body hidden",
    )
    def delete(self, request: Request, post_id: int) -> Response:
        post = access.access_post(request.user, post_id)
        return _post_response(request, actions.do_delete_post(me(request), post))


class PostRestoreView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: PostSerializer},
        tags=TAGS,
        summary="Restore a deleted post (moderators)",
    )
    def post(self, request: Request, post_id: int) -> Response:
        post = access.access_post(request.user, post_id)
        return _post_response(request, actions.do_restore_post(me(request), post))


class PostRevisionListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, LIMIT],
        responses={200: page(PostRevisionSerializer, "PostRevisionPage")},
        tags=TAGS,
        summary="A post's earlier bodies (its author and moderators)",
    )
    def get(self, request: Request, post_id: int) -> Response:
        post = access.access_post(request.user, post_id)
        if not access.may_read_revisions(request.user, post):
            raise NotAllowed("not_author", "Only the author and moderators see earlier versions.")
        rows, next_cursor = paginate(queries.list_revisions(post), request, ("number",))
        return Response(
            {"results": PostRevisionSerializer(rows, many=True).data, "next": next_cursor}
        )


class PostReactionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PostReactionSerializer,
        responses={201: PostSerializer, 200: PostSerializer},
        tags=TAGS,
        summary="React with one emoji",
        description="201 when the reaction is new, 200 when you had already reacted so. "
        "Anything but a single emoji is a 400 `invalid_emoji`.",
    )
    def post(self, request: Request, post_id: int) -> Response:
        post = access.access_post(request.user, post_id)
        access.check_can_react(request.user, post)
        data = parse(PostReactionSerializer, request)
        _, created = actions.do_add_reaction(me(request), post, data["emoji"])
        return _post_response(request, post, status.HTTP_201_CREATED if created else 200)

    @extend_schema(
        parameters=[EMOJI],
        request=PostReactionSerializer,
        responses={200: PostSerializer},
        tags=TAGS,
        summary="Take back your reaction",
    )
    def delete(self, request: Request, post_id: int) -> Response:
        post = access.access_post(request.user, post_id)
        emoji = request.query_params.get("emoji")
        if emoji is None:
            if not isinstance(request.data, dict) or "emoji" not in request.data:
                raise InvalidInput(
                    "invalid", "Say which emoji to remove.", {"emoji": ["This field is required."]}
                )
            emoji = request.data["emoji"]
        actions.do_remove_reaction(me(request), post, emoji)
        return _post_response(request, post)
