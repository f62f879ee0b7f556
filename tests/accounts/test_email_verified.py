"""Whether an account's address is verified: the key of the address last proven theirs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from accounts.identity import email_verified, mark_email_verified, verified_email
from tests.factories.users import make_user

pytestmark = pytest.mark.django_db


def test_a_new_address_is_unverified_until_marked_and_changing_it_unverifies() -> None:
    user = make_user("amina", email_verified=False)
    assert not email_verified(user)
    assert not User.objects.filter(verified_email(), pk=user.pk).exists()
    mark_email_verified(user)
    assert email_verified(user)
    assert User.objects.filter(verified_email(), pk=user.pk).exists()
    user.email = "amina@elsewhere.example"
    user.save()
    assert not email_verified(user)
    assert not User.objects.filter(verified_email(), pk=user.pk).exists()
    # Another case of the verified address is the same address.
    user.email = "AMINA@example.org"
    user.save()
    assert email_verified(user)


def test_no_address_is_never_verified() -> None:
    user = make_user("noaddress", email="")
    assert not email_verified(user)
    assert not User.objects.filter(verified_email(), pk=user.pk).exists()
