"""manage.py import_members FILE.csv --network SLUG [--dry-run] [--update-existing]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from community.models import Network
from core.errors import InvalidInput
from directory import importer
from directory.actions import do_import_members


class Command(BaseCommand):
    help = (
        "Onboard a network's member list from a UTF-8 CSV (header: email, username, "
        "display_name, headline, country, city, sectors, skills, languages, …; several "
        "values in a cell separated by ; or |). Every line is validated first; any error "
        "and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--network", required=True, help="the network's slug")
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
        parser.add_argument(
            "--update-existing",
            action="store_true",
            help="overwrite the profile fields of people who already have an account "
            "(matched by email); without it their profile is left as it is",
        )
        parser.add_argument("--actor", help="username recorded in the audit log as importer")

    def handle(self, *args: Any, **options: Any) -> None:
        network = Network.objects.filter(slug=options["network"]).first()
        if network is None:
            raise CommandError(f"No network with slug {options['network']!r}.")
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']!r}.")
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from None
        try:
            parsed = importer.parse(data, network)
        except InvalidInput as exc:
            raise CommandError(f"{options['file']}: {exc.message} Nothing was imported.") from None
        if parsed.errors:
            for error in parsed.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(parsed.errors)} invalid line(s) in {options['file']}; nothing was imported."
            )
        existing = sum(1 for row in parsed.rows if row.existing_id)
        if options["dry_run"]:
            self.stdout.write(
                f"{len(parsed.rows)} valid rows: {len(parsed.rows) - existing} new accounts, "
                f"{existing} existing "
                f"({'to update' if options['update_existing'] else 'left as they are'}). "
                "Dry run: nothing was written."
            )
            return
        report = do_import_members(
            actor, network, parsed.rows, update_existing=options["update_existing"]
        )
        self.stdout.write(
            f"Imported into {network.slug}: {len(report.created)} created, "
            f"{len(report.updated)} updated, {len(report.skipped)} left as they were, "
            f"{len(report.joined)} new memberships."
        )
