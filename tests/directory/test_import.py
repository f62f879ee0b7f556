"""manage.py import_members: all or nothing, line-numbered errors, existing users by email."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from community.models import AuditEntry, Membership
from directory.models import Profile
from tests.factories.directory import make_profile

HEADER = "email,display_name,headline,country,city,sectors,skills,languages,engagement\n"
GOOD = (
    HEADER
    + "amina@example.org,Amina Benali,Cardiologue,CA,Montréal,health,cardiologie;échographie,ar;fr,mentoring\n"  # noqa: E501
    + "youssef@example.org,Youssef El Idrissi,Ingénieur,DE,Munich,automotive|energy,,de,\n"
)


def run(tmp_path: Path, content: str | bytes, *args: str) -> tuple[str, str]:
    path = tmp_path / "members.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_members", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_creates_accounts_profiles_and_memberships(
    database_only: Any, public_network: Any, tmp_path: Path, api: Any, outsider: Any
) -> None:
    out, _ = run(tmp_path, GOOD, "--network", "germany")
    assert "2 created" in out and "2 new memberships" in out
    amina = get_user_model().objects.get(email="amina@example.org")
    assert amina.username == "amina" and not amina.has_usable_password()
    profile = Profile.objects.get(user=amina)
    assert profile.skills == ["cardiologie", "échographie"] and profile.languages == ["ar", "fr"]
    assert Membership.objects.get(user=amina, network=public_network).status == "active"
    assert AuditEntry.objects.filter(action="member.import", target_user=amina).exists()
    found = api(outsider).get("/api/v1/networks/germany/directory/", {"q": "cardiologue"})
    assert [row["id"] for row in found.json()["results"]] == [amina.pk]


def test_dry_run_writes_nothing(database_only: Any, public_network: Any, tmp_path: Path) -> None:
    users = get_user_model().objects.count()
    out, _ = run(tmp_path, GOOD, "--network", "germany", "--dry-run")
    assert "2 valid rows" in out and "nothing was written" in out
    assert get_user_model().objects.count() == users


def test_invalid_rows_are_reported_by_line_and_nothing_is_imported(
    database_only: Any, public_network: Any, tmp_path: Path
) -> None:
    bad = (
        HEADER
        + "ok@example.org,Ok,,MA,,,,,\n"
        + ",No Email,,MA,,,,,\n"
        + "x@example.org,Bad Country,,XX,,,,,\n"
        + "y@example.org,Bad Sector,,MA,,plumbing,,,\n"
        + "ok@example.org,Twice,,MA,,,,,\n"
    )
    users = get_user_model().objects.count()
    path = tmp_path / "bad.csv"
    path.write_text(bad)
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError, match="4 invalid line"):
        call_command("import_members", str(path), "--network", "germany", stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("line 3: email: missing")
    assert lines[1].startswith("line 4: country: Unknown country code 'XX'")
    assert lines[2].startswith("line 5: sectors: Unknown value 'plumbing'")
    assert lines[3].startswith("line 6: email: ok@example.org already on line 2")
    assert get_user_model().objects.count() == users


def test_a_file_in_the_wrong_encoding_is_refused_with_its_line(
    database_only: Any, public_network: Any, tmp_path: Path
) -> None:
    latin1 = (HEADER + "amina@example.org,Amina,,CA,Montréal,,,,\n").encode("latin-1")
    with pytest.raises(CommandError, match=r"line 2: the file is not UTF-8 \(byte 0xe9\)"):
        run(tmp_path, latin1, "--network", "germany")
    assert not get_user_model().objects.filter(email="amina@example.org").exists()


def test_unknown_columns_and_networks_are_refused(
    database_only: Any, public_network: Any, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="1 invalid line"):
        run(tmp_path, "email,salary\na@example.org,1\n", "--network", "germany")
    with pytest.raises(CommandError, match="No network"):
        run(tmp_path, GOOD, "--network", "nowhere")


def test_existing_users_are_matched_by_email_and_skipped_or_updated(
    database_only: Any, public_network: Any, outsider: Any, tmp_path: Path
) -> None:
    make_profile(outsider, headline="Kept")
    content = HEADER + f"{outsider.email.upper()},,Replaced,FR,,,,,\n"
    out, _ = run(tmp_path, content, "--network", "germany")
    assert "1 left as they were" in out and "1 new memberships" in out
    assert Profile.objects.get(user=outsider).headline == "Kept"
    out, _ = run(tmp_path, content, "--network", "germany", "--update-existing")
    assert "1 updated" in out and "0 new memberships" in out
    assert Profile.objects.get(user=outsider).headline == "Replaced"


def test_a_banned_member_is_an_error_not_a_silent_rejoin(
    database_only: Any, public_network: Any, banned: Any, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="1 invalid line"):
        run(tmp_path, HEADER + f"{banned.email},,,,,,,,\n", "--network", "germany")
    assert Membership.objects.get(user=banned, network=public_network).status == "banned"
