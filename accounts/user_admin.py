"""The admin's user forms refuse a look-alike username or a used email, as sign-up does.

The unique indexes of AccountKey would refuse them anyway; these checks turn that
into a form error instead of a failed save.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User

from accounts import recovery
from accounts.identity import email_taken, username_taken
from core.names import normalize_username


class _IdentityChecks(forms.ModelForm):
    def _exclude(self) -> int | None:
        return self.instance.pk if self.instance and self.instance.pk else None

    def clean_username(self) -> str:
        username = normalize_username(self.cleaned_data["username"])
        if username_taken(username, exclude=self._exclude()):
            raise forms.ValidationError("This username, or one that looks like it, is taken.")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if email_taken(email, exclude=self._exclude()):
            raise forms.ValidationError("An account with this email exists.")
        return email


class IdentityUserCreationForm(_IdentityChecks, AdminUserCreationForm):
    pass


class IdentityUserChangeForm(_IdentityChecks, UserChangeForm):
    pass


class IdentityUserAdmin(UserAdmin):
    form = IdentityUserChangeForm
    add_form = IdentityUserCreationForm

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        """A new address set here is unverified (accounts.identity) and mailed its link."""
        super().save_model(request, obj, form, change)
        if "email" in form.changed_data:
            recovery.do_send_verification(obj)


def register(site: Any = admin.site) -> None:
    if site.is_registered(User):
        site.unregister(User)
    site.register(User, IdentityUserAdmin)
