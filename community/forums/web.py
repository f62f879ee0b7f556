"""Web pages for a network's forums: categories → topics → a topic's posts.

Visibility comes from `community.forums.access` (the same `access_*` the API uses:
an unreadable topic is a 404); every write is one `community.forums.actions` call.
An open topic page is live: `static/js/topic.js` watches the topic over the /ws/
socket (`topic.subscribe`) and applies new, edited and deleted posts, reactions and
topic changes as they happen; on each (re)subscribe it catches up through
`GET /api/v1/topics/{id}/posts/?after=`, and while the socket is down it asks that
endpoint for new posts every few seconds instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from community.forums import access, actions, queries
from community.forums.models import Category, Post, Topic
from community.models import Network
from community.web import content_network, network_context
from core.api import me
from core.errors import ActionError, InvalidInput
from core.web import apply_action_error, fail, not_found_on, rate_limited, signed_in, web_page
from permissions import checks

REACTION_CHOICES = ("👍", "❤️", "🎉", "😂", "🙏", "👏")


def _access(call: Any, *args: Any) -> Any:
    """Run an `access_*`; NotFound becomes the 404 page (NotAllowed: the error page)."""
    try:
        return call(*args)
    except ActionError as exc:
        not_found_on(exc)
        raise


def _allowed(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except ActionError:
        return False
    return True


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput({"dir": "auto"}))
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2, "dir": "auto"}),
    )
    moderators_only_post = forms.BooleanField(
        label=_("Only moderators open topics here"), required=False
    )


class TopicForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput({"dir": "auto"})
    )
    body = forms.CharField(
        label=_("Message"),
        help_text=_("Markdown: **bold**, *italic*, [links](https://…), lists, > quotes."),
        widget=forms.Textarea({"rows": 8, "dir": "auto"}),
        strip=False,
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        help_text=_("Markdown: **bold**, *italic*, [links](https://…), lists, > quotes."),
        widget=forms.Textarea({"rows": 5, "dir": "auto"}),
        strip=False,
    )


def _forum_context(request: HttpRequest, network: Network) -> dict[str, Any]:
    context = network_context(request, network, "forums")
    context["may_create_category"] = _allowed(
        access.check_can_create_category, request.user, network
    )
    return context


def forum_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A network's categories; moderators add new ones here."""
    network = content_network(request, slug)
    context = _forum_context(request, network)
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.is_authenticated or not context["may_create_category"]:
            raise Http404
        if form.is_valid():
            try:
                category = actions.do_create_category(me(request), network, **form.cleaned_data)
            except ActionError as exc:
                not_found_on(exc)
                apply_action_error(form, exc)
            else:
                messages.success(request, _("Category created."))
                return redirect("web:category", slug=slug, category_id=category.pk)
    context.update({"categories": list(queries.list_categories(network)), "form": form})
    return render(request, "forums/forum_home.html", context)


def category(request: HttpRequest, slug: str, category_id: int) -> HttpResponse:
    """Topics of a category (pinned first, then latest activity) and the new-topic form."""
    network = content_network(request, slug)
    cat: Category = _access(access.access_category, request.user, network, category_id)
    may_open = _allowed(access.check_can_open_topic, request.user, cat)
    form = TopicForm(request.POST if request.method == "POST" else None)
    refused: ActionError | None = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise Http404
        if form.is_valid():
            try:
                topic, _post = actions.do_create_topic(
                    me(request), cat, form.cleaned_data["title"], form.cleaned_data["body"]
                )
            except ActionError as exc:
                not_found_on(exc)
                apply_action_error(form, exc)
                refused = exc
            else:
                return redirect("web:topic", topic_id=topic.pk)
    try:
        # The topic order puts pinned topics first; the generic pager refuses a boolean
        # in a cursor, so the forum's own keyset pager is used (same cursor as the API).
        topics, next_cursor = queries.topic_page(cat, request.GET.get("cursor"), 30)
    except InvalidInput as exc:
        raise Http404 from exc
    context = _forum_context(request, network)
    context.update(
        {
            "category": cat,
            "topics": topics,
            "next_cursor": next_cursor,
            "form": form,
            "may_open": may_open,
        }
    )
    return rate_limited(render(request, "forums/category.html", context), refused)


def _live_strings() -> dict[str, str]:
    """What topic.js shows, in the page's language."""
    return {
        "connecting": str(_("connecting…")),
        "live": str(_("live")),
        "reconnecting": str(_("reconnecting…")),
        "closed": str(_("disconnected")),
        "edited": str(_("edited")),
        "editedByModerator": str(_("edited by a moderator")),
        "deleted": str(_("This post was deleted.")),
        "pinned": str(_("Pinned")),
        "locked": str(_("Locked")),
        "topicDeleted": str(_("Deleted")),
        "revoked": str(_("You no longer have access to this topic.")),
    }


POSTS_PER_PAGE = 50


def _topic_context(request: HttpRequest, t: Topic, form: ReplyForm) -> dict[str, Any]:
    network = t.network
    posts, next_cursor = web_page(queries.list_posts(t), request, ("id",), limit=POSTS_PER_PAGE)
    reactions = queries.reaction_summaries(posts, request.user)
    moderator = checks.may_moderate_forums(request.user, network)
    if moderator:
        # Whose posts a moderator may change depends on each author's rank: one query.
        checks.remember_memberships(network, {post.author_id for post in posts})
    for post in posts:
        post.topic = t  # the page's topic (and its network's memo), not one load per post
        post.reaction_list = reactions.get(post.pk, [])
        post.may_edit = not post.deleted and _allowed(
            access.check_can_edit_post, request.user, post
        )
        post.may_delete = not post.deleted and _allowed(
            access.check_can_delete_post, request.user, post
        )
        post.show_body = not post.deleted or moderator
    context = network_context(request, network, "forums")
    context.update(
        {
            "topic": t,
            "category": t.category,
            "posts": posts,
            "next_cursor": next_cursor,
            "first_post_id": posts[0].pk if posts else 0,
            "last_post_id": posts[-1].pk if posts else 0,
            "live_strings": _live_strings(),
            "form": form,
            "may_reply": _allowed(access.check_can_reply, request.user, t),
            "may_react": _allowed(checks.check_can_participate, request.user, network),
            "may_rename": _allowed(access.check_can_rename_topic, request.user, t),
            "may_take_down": _allowed(access.check_can_take_down_topic, request.user, t),
            "reaction_choices": REACTION_CHOICES,
            "categories": list(queries.list_categories(network)) if moderator else [],
            # The forum's moderators' tools (the header's `may_moderate` is any moderation).
            "may_moderate_forums": moderator,
            "watching": queries.is_watching(request.user, t),
            "template_post": _template_post(t, moderator),
        }
    )
    return context


def _template_post(t: Topic, moderator: bool) -> Post:
    """The post the page's <template> is rendered from (forums/_post.html, as every post
    that came with the page): the page's script fills in a post that arrives live — its
    id (also in the form actions, rendered for post 0), author, time and body."""
    author = User(pk=0, username="_")  # no profile: the template falls back to the username
    post = Post(pk=0, topic=t, author=author, body="", body_html="", created_at=timezone.now())
    post.reaction_list = []  # type: ignore[attr-defined]
    post.may_edit = False  # type: ignore[attr-defined]
    post.may_delete = moderator  # type: ignore[attr-defined]
    post.show_body = True  # type: ignore[attr-defined]
    return post


def topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    """A topic's posts in order, with reactions, the reply box and the moderators' tools.
    `?post=<id>` (where a notification leads) opens the page holding that post."""
    t: Topic = _access(access.access_topic, request.user, topic_id)
    post_id = request.GET.get("post", "")
    if post_id.isdecimal() and len(post_id) < 19 and "cursor" not in request.GET:
        cursor = queries.page_cursor_of_post(t, int(post_id), POSTS_PER_PAGE)
        if cursor is not None:
            url = reverse("web:topic", args=[t.pk])
            return redirect(f"{url}?{urlencode({'cursor': cursor})}#post-{post_id}")
    return render(request, "forums/topic.html", _topic_context(request, t, ReplyForm()))


@require_POST
@signed_in
def reply(request: HttpRequest, topic_id: int) -> HttpResponse:
    t: Topic = _access(access.access_topic, request.user, topic_id)
    form = ReplyForm(request.POST)
    refused: ActionError | None = None
    if form.is_valid():
        try:
            post = actions.do_reply(me(request), t, form.cleaned_data["body"])
        except ActionError as exc:
            not_found_on(exc)
            apply_action_error(form, exc)
            refused = exc
        else:
            return redirect(f"{reverse('web:topic', args=[t.pk])}#post-{post.pk}")
    # The topic again, its reply box holding what was typed and why it was refused.
    page = render(request, "forums/topic.html", _topic_context(request, t, form), status=400)
    return rate_limited(page, refused)


@require_POST
@signed_in
def watch_topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    """The Watch / Stop watching button: `watching=true` or `false`, one action call."""
    t: Topic = _access(access.access_topic, request.user, topic_id)
    back = reverse("web:topic", args=[t.pk])
    choice = request.POST.get("watching")
    if choice not in ("true", "false"):
        return HttpResponseBadRequest(_("watching: must be true or false."))
    try:
        actions.do_set_watching(me(request), t, choice == "true")
    except ActionError as exc:
        return fail(request, exc, back)
    if choice == "true":
        messages.success(request, _("You are watching this topic: every reply notifies you."))
    else:
        messages.success(request, _("You no longer watch this topic."))
    return redirect(back)


class TopicModerationForm(forms.Form):
    title = forms.CharField(required=False, max_length=200)
    pinned = forms.NullBooleanField(required=False)
    locked = forms.NullBooleanField(required=False)
    category = forms.IntegerField(required=False, min_value=1)


@require_POST
@signed_in
def update_topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    """Rename (author or moderator); pin, lock, move (moderators): one do_update_topic call."""
    t: Topic = _access(access.access_topic, request.user, topic_id)
    back = reverse("web:topic", args=[t.pk])
    form = TopicModerationForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    changes = {
        "title": data["title"] or None,
        "pinned": data["pinned"],
        "locked": data["locked"],
        "category_id": data["category"],
    }
    try:
        actions.do_update_topic(me(request), t, **changes)
    except ActionError as exc:
        return fail(request, exc, back)
    messages.success(request, _("Topic updated."))
    return redirect(back)


@require_POST
@signed_in
def delete_topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    t: Topic = _access(access.access_topic, request.user, topic_id)
    try:
        actions.do_delete_topic(me(request), t, request.POST.get("reason", "")[:2000])
    except ActionError as exc:
        return fail(request, exc, reverse("web:topic", args=[t.pk]))
    messages.success(request, _("Topic deleted."))
    return redirect("web:category", slug=t.network.slug, category_id=t.category_id)


def _post_back(post: Post) -> str:
    return f"{reverse('web:topic', args=[post.topic_id])}#post-{post.pk}"


@require_POST
@signed_in
def edit_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post: Post = _access(access.access_post, request.user, post_id)
    try:
        actions.do_edit_post(me(request), post, request.POST.get("body", ""))
    except ActionError as exc:
        return fail(request, exc, _post_back(post))
    return redirect(_post_back(post))


@require_POST
@signed_in
def delete_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post: Post = _access(access.access_post, request.user, post_id)
    try:
        actions.do_delete_post(me(request), post)
    except ActionError as exc:
        return fail(request, exc, _post_back(post))
    messages.success(request, _("Post deleted."))
    return redirect(_post_back(post))


@require_POST
@signed_in
def react(request: HttpRequest, post_id: int) -> HttpResponse:
    """Toggle one's reaction: add it, or take it back if it is already there."""
    post: Post = _access(access.access_post, request.user, post_id)
    emoji = request.POST.get("emoji", "")
    try:
        if request.POST.get("remove"):
            actions.do_remove_reaction(me(request), post, emoji)
        else:
            actions.do_add_reaction(me(request), post, emoji)
    except ActionError as exc:
        if exc.code == "not_found" and request.POST.get("remove"):
            return redirect(_post_back(post))  # already gone: nothing to undo
        return fail(request, exc, _post_back(post))
    return redirect(_post_back(post))
