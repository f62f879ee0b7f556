"""Admin views for categories, topics and posts. Every save goes through the forum actions.

The admin never writes rows itself: the form's `clean()` runs the action's permission
and input checks (so a refusal shows as a form error, not a crash), and `save_model`
/ `delete_model` call the action, which writes, audits and notifies like the API.
Deleting a topic or post here is the same soft delete moderators do in the API.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from community.forums import access, actions
from community.forums.actions.categories import EDITABLE
from community.forums.models import Category, Post, PostRevision, Topic
from core.errors import ActionError


def _as_validation_error(error: ActionError) -> ValidationError:
    details = "; ".join(str(m) for msgs in error.fields.values() for m in msgs)
    return ValidationError(f"{error.message} {details}".strip(), code=error.code)


class ActionCheckedForm(forms.ModelForm):
    """A model form whose clean() runs the admin's `check_action(request, original, data)`."""

    request: HttpRequest
    check: Callable[[HttpRequest, Any, dict[str, Any]], None]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            original = type(self.instance).objects.filter(pk=self.instance.pk).first()
            try:
                type(self).check(self.request, original, data)
            except ActionError as error:
                raise _as_validation_error(error) from None
        return data


class ActionAdmin(admin.ModelAdmin):
    """Hands the request to the form so its clean() can check the acting user's rights.

    Each admin defines `check_action(request, original, data)`: the action's permission
    and input checks for this change, raising an ActionError (a subclass without one
    is refused when it is defined, not when someone first saves).
    """

    check_action: Callable[[HttpRequest, Any, dict[str, Any]], None]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "check_action", None)):
            raise TypeError(f"{cls.__name__} must define check_action(request, original, data)")

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs.setdefault("form", ActionCheckedForm)
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(
            form.__name__, (form,), {"request": request, "check": staticmethod(self.check_action)}
        )

    def _run(self, request: HttpRequest, label: str, fn: Callable[[], Any]) -> bool:
        try:
            fn()
        except ActionError as error:
            self.message_user(request, f"{label}: {error.message}", messages.ERROR)
            return False
        return True


@admin.register(Category)
class CategoryAdmin(ActionAdmin):
    list_display = ["name", "network", "position", "moderators_only_post"]
    list_filter = ["moderators_only_post"]
    search_fields = ["name", "network__name"]
    fields = ["network", "name", "slug", "description", "position", "moderators_only_post"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["network", "slug"] if obj is not None else []

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if "slug" in form.base_fields:
            form.base_fields["slug"].required = False  # the action derives it from the name
            form.base_fields["slug"].help_text = "Leave empty to derive it from the name."
        return form

    def check_action(self, request: HttpRequest, original: Any, data: dict[str, Any]) -> None:
        network = original.network if original is not None else data.get("network")
        if network is not None:
            access.check_can_create_category(request.user, network)

    def save_model(self, request: Any, obj: Category, form: Any, change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in EDITABLE}
        if change:
            original = Category.objects.select_related("network").get(pk=obj.pk)
            updated = actions.do_update_category(request.user, original, **fields)
        else:
            updated = actions.do_create_category(
                request.user, obj.network, slug=form.cleaned_data.get("slug", ""), **fields
            )
        obj.pk = updated.pk


@admin.register(Topic)
class TopicAdmin(ActionAdmin):
    list_display = ["title", "network", "category", "author", "pinned", "locked", "post_count"]
    list_filter = ["pinned", "locked", "deleted"]
    search_fields = ["title"]
    list_select_related = ["network", "category", "author"]
    fields = ["network", "category", "title", "pinned", "locked", "author", "post_count", "deleted"]
    readonly_fields = ["network", "author", "post_count", "deleted"]
    actions = ["restore_topics"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # topics are opened by members, with their first post

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "category":
            topic_id = request.resolver_match.kwargs.get("object_id")
            topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
            if topic is not None:
                kwargs["queryset"] = Category.objects.filter(network_id=topic.network_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def check_action(self, request: HttpRequest, original: Any, data: dict[str, Any]) -> None:
        if data.get("title") is not None and data["title"] != original.title:
            access.check_can_rename_topic(request.user, original)
            actions.check_title(data["title"])
        if (
            data.get("pinned") != original.pinned
            or data.get("locked") != original.locked
            or data.get("category") != original.category
        ):
            access.check_can_moderate_topic(request.user, original)

    def save_model(self, request: Any, obj: Topic, form: Any, change: bool) -> None:
        original = Topic.objects.select_related("network", "category").get(pk=obj.pk)
        data = form.cleaned_data
        actions.do_update_topic(
            request.user,
            original,
            title=data["title"],
            pinned=data["pinned"],
            locked=data["locked"],
            category_id=data["category"].pk,
        )

    def delete_model(self, request: Any, obj: Topic) -> None:
        topic = Topic.objects.select_related("network", "category").get(pk=obj.pk)
        self._run(request, str(topic), partial(actions.do_delete_topic, request.user, topic))

    def delete_queryset(self, request: Any, queryset: QuerySet[Topic]) -> None:
        for topic in queryset.select_related("network", "category"):
            self._run(request, str(topic), partial(actions.do_delete_topic, request.user, topic))

    @admin.action(description="Restore the selected deleted topics")
    def restore_topics(self, request: Any, queryset: QuerySet[Topic]) -> None:
        for topic in queryset.select_related("network", "category"):
            self._run(request, str(topic), partial(actions.do_restore_topic, request.user, topic))


class PostRevisionInline(admin.TabularInline):
    model = PostRevision
    fields = ["number", "body", "edited_by", "created_at"]
    readonly_fields = ["number", "body", "edited_by", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(ActionAdmin):
    list_display = ["id", "topic", "author", "created_at", "edit_count", "deleted"]
    list_filter = ["deleted"]
    search_fields = ["body"]
    list_select_related = ["topic", "author"]
    fields = ["topic", "author", "body", "created_at", "edited_at", "deleted", "deleted_by"]
    readonly_fields = ["topic", "author", "created_at", "edited_at", "deleted", "deleted_by"]
    inlines = [PostRevisionInline]
    actions = ["restore_posts"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # posts are written by members in their topics

    def _load(self, pk: Any) -> Post:
        return Post.objects.select_related("topic__network", "topic__category").get(pk=pk)

    def check_action(self, request: HttpRequest, original: Any, data: dict[str, Any]) -> None:
        if data.get("body") != original.body:
            access.check_can_edit_post(request.user, self._load(original.pk))
            actions.check_body(data.get("body"))

    def save_model(self, request: Any, obj: Post, form: Any, change: bool) -> None:
        actions.do_edit_post(request.user, self._load(obj.pk), form.cleaned_data["body"])

    def delete_model(self, request: Any, obj: Post) -> None:
        post = self._load(obj.pk)
        self._run(request, str(post), partial(actions.do_delete_post, request.user, post))

    def delete_queryset(self, request: Any, queryset: QuerySet[Post]) -> None:
        for post in queryset.select_related("topic__network", "topic__category"):
            self._run(request, str(post), partial(actions.do_delete_post, request.user, post))

    @admin.action(description="Restore the selected deleted posts")
    def restore_posts(self, request: Any, queryset: QuerySet[Post]) -> None:
        for post in queryset.select_related("topic__network", "topic__category"):
            self._run(request, str(post), partial(actions.do_restore_post, request.user, post))
