"""Demo people: Moroccans abroad with Arabic, Amazigh, French and English names.

Users are bulk-created (hashing a password per user would take minutes) with one
password hash computed once; each gets a directory profile whose display name is
in Arabic script for about a third of them, as many members write their name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import User

from accounts.identity import mark_email_verified, sync_account_keys
from community.seed.base import SeedContext, seed_step
from directory.models import Profile


@dataclass(frozen=True)
class Name:
    latin: str
    arabic: str
    female: bool | None = None  # None: a family name


def _f(latin: str, arabic: str) -> Name:
    return Name(latin, arabic, True)


def _m(latin: str, arabic: str) -> Name:
    return Name(latin, arabic, False)


FIRST_NAMES = [
    # Arabic
    _f("Amina", "أمينة"), _f("Fatima Zahra", "فاطمة الزهراء"), _f("Khadija", "خديجة"),
    _f("Salma", "سلمى"), _f("Nadia", "نادية"), _f("Zineb", "زينب"), _f("Meryem", "مريم"),
    _f("Hajar", "هاجر"), _f("Imane", "إيمان"), _f("Sanaa", "سناء"), _f("Laila", "ليلى"),
    _f("Houda", "هدى"), _f("Kenza", "كنزة"), _f("Ghizlane", "غزلان"), _f("Soukaina", "سكينة"),
    _f("Asmae", "أسماء"), _f("Yasmine", "ياسمين"), _f("Nawal", "نوال"), _f("Samira", "سميرة"),
    _f("Rachida", "رشيدة"), _f("Loubna", "لبنى"), _f("Hanane", "حنان"),
    _m("Youssef", "يوسف"), _m("Mohamed", "محمد"), _m("Karim", "كريم"), _m("Omar", "عمر"),
    _m("Hicham", "هشام"), _m("Rachid", "رشيد"), _m("Mehdi", "مهدي"), _m("Anas", "أنس"),
    _m("Hamza", "حمزة"), _m("Ayoub", "أيوب"), _m("Said", "سعيد"), _m("Driss", "إدريس"),
    _m("Abdelilah", "عبد الإله"), _m("Othmane", "عثمان"), _m("Reda", "رضا"), _m("Tarik", "طارق"),
    _m("Nabil", "نبيل"), _m("Khalid", "خالد"), _m("Ismail", "إسماعيل"), _m("Soufiane", "سفيان"),
    _m("Adil", "عادل"), _m("Badr", "بدر"),
    # Amazigh
    _f("Tilelli", "تيليلي"), _f("Tanirt", "تانيرت"), _f("Itto", "إطو"), _f("Tafsut", "تافسوت"),
    _f("Dihya", "ديهيا"), _f("Tiziri", "تيزيري"), _f("Tamazight", "تامازيغت"),
    _m("Massinissa", "ماسينيسا"), _m("Yuba", "يوبا"), _m("Idir", "إيدير"), _m("Aksil", "أكسيل"),
    _m("Juba", "جوبا"), _m("Mazigh", "مازيغ"), _m("Anir", "أنير"), _m("Amnay", "أمناي"),
    # French and English (second generation, spouses, colleagues)
    _f("Sophie", "صوفي"), _f("Camille", "كاميل"), _f("Inès", "إيناس"), _f("Léa", "ليا"),
    _f("Sarah", "سارة"), _f("Nora", "نورة"), _f("Emma", "إيما"), _f("Jennifer", "جنيفر"),
    _m("Julien", "جوليان"), _m("Thomas", "توماس"), _m("Adam", "آدم"), _m("Yanis", "يانيس"),
    _m("Rayan", "ريان"), _m("Lucas", "لوكاس"), _m("Michael", "مايكل"), _m("David", "داود"),
]  # fmt: skip

FAMILY_NAMES = [
    Name("Benali", "بنعلي"), Name("El Idrissi", "الإدريسي"), Name("Alaoui", "العلوي"),
    Name("Bennani", "بناني"), Name("Tazi", "التازي"), Name("Chraibi", "الشرايبي"),
    Name("Berrada", "برادة"), Name("El Fassi", "الفاسي"), Name("Amrani", "العمراني"),
    Name("Benjelloun", "بنجلون"), Name("Lahlou", "لحلو"), Name("Sqalli", "السقلي"),
    Name("Kettani", "الكتاني"), Name("Ouazzani", "الوزاني"), Name("Bouzidi", "البوزيدي"),
    Name("Ait Ouahmane", "آيت واحمان"), Name("Ait Benhaddou", "آيت بنحدو"),
    Name("Oubella", "أوبلا"), Name("Amazouz", "أمازوز"), Name("Oukhouya", "أوخويا"),
    Name("Id Boubker", "إد بوبكر"), Name("Ait Lahcen", "آيت لحسن"), Name("Boukhari", "البخاري"),
    Name("Ziani", "الزياني"), Name("Naciri", "الناصري"), Name("Mansouri", "المنصوري"),
    Name("Haddad", "الحداد"), Name("Cherkaoui", "الشرقاوي"), Name("Filali", "الفيلالي"),
    Name("Lamrani", "اللمراني"), Name("Tahiri", "الطاهري"), Name("Rahmouni", "الرحموني"),
    Name("Zerhouni", "الزرهوني"), Name("Bakkali", "البقالي"), Name("Hajji", "الحجي"),
    Name("Ouali", "الوالي"), Name("Soussi", "السوسي"), Name("Rifi", "الريفي"),
    Name("Moreau", "مورو"), Name("Dubois", "دوبوا"), Name("Martin", "مارتان"),
    Name("Tremblay", "ترمبلاي"), Name("Smith", "سميث"), Name("Müller", "مولر"),
]  # fmt: skip

# People the README and `make run` name, and who run the demo networks.
FEATURED = [
    ("Amina", "Benali"),
    ("Youssef", "El Idrissi"),
    ("Khadija", "Alaoui"),
    ("Karim", "Tazi"),
    ("Salma", "Amrani"),
    ("Omar", "Chraibi"),
    ("Nadia", "Bennani"),
    ("Massinissa", "Ait Ouahmane"),
    ("Zineb", "Berrada"),
    ("Hicham", "Lahlou"),
    ("Tilelli", "Oubella"),
    ("Mehdi", "Kettani"),
    ("Ghizlane", "El Fassi"),
    ("Rachid", "Cherkaoui"),
    ("Sophie", "Moreau"),
    ("Idir", "Amazouz"),
]


def username_for(first: str, last: str) -> str:
    """`amina.benali`, `youssef.elidrissi`: ASCII, lowercase, no spaces."""

    def plain(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "".join(ch for ch in ascii_text.lower() if ch.isalnum())

    return f"{plain(first)}.{plain(last)}"


@dataclass(frozen=True)
class Person:
    username: str
    first: Name
    last: Name
    arabic_display: bool

    @property
    def female(self) -> bool:
        return bool(self.first.female)

    @property
    def display_name(self) -> str:
        if self.arabic_display:
            return f"{self.first.arabic} {self.last.arabic}"
        return f"{self.first.latin} {self.last.latin}"


def plan_people(ctx: SeedContext) -> list[Person]:
    """The same `ctx.user_count` people on every run: the featured ones, then random pairs."""
    firsts = {n.latin: n for n in FIRST_NAMES}
    lasts = {n.latin: n for n in FAMILY_NAMES}
    rng = ctx.rng("people")
    people: list[Person] = []
    taken: set[str] = set()
    for index, (first, last) in enumerate(FEATURED):
        # A few of the featured people write their name in Arabic script, as many members do.
        arabic = index % 5 == 2
        people.append(Person(username_for(first, last), firsts[first], lasts[last], arabic))
        taken.add(people[-1].username)
    while len(people) < ctx.user_count:
        given, family = rng.choice(FIRST_NAMES), rng.choice(FAMILY_NAMES)
        username = username_for(given.latin, family.latin)
        if username in taken:
            username = f"{username}{rng.randint(2, 99)}"
            if username in taken:
                continue
        taken.add(username)
        people.append(Person(username, given, family, arabic_display=rng.random() < 0.35))
    return people[: max(ctx.user_count, len(FEATURED))]


PEOPLE_KEY = "people"


@seed_step("people", order=10)
def seed_people(ctx: SeedContext) -> None:
    """The demo users with their profiles, and the staff account `admin`."""
    people = plan_people(ctx)
    existing = set(
        User.objects.filter(username__in=[p.username for p in people]).values_list(
            "username", flat=True
        )
    )
    missing = [p for p in people if p.username not in existing]
    if missing:
        created = User.objects.bulk_create(
            User(
                username=p.username,
                email=f"{p.username}@example.org",
                first_name=p.first.latin,
                last_name=p.last.latin,
                password=ctx.password_hash,
            )
            for p in ctx.progress(missing, len(missing), "people")
        )
        sync_account_keys(created, verified=True)  # bulk_create sends no post_save
        by_name = {p.username: p for p in missing}
        Profile.objects.bulk_create(
            Profile(user=user, display_name=by_name[user.username].display_name) for user in created
        )
        ctx.count("users", len(created))
    usernames = [p.username for p in people]
    by_username = {u.username: u for u in User.objects.filter(username__in=usernames)}
    ctx.users = [by_username[p.username] for p in people]
    ctx.extra[PEOPLE_KEY] = {p.username: p for p in people}

    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create(
            username="admin",
            email="admin@example.org",
            is_staff=True,
            is_superuser=True,
            password=ctx.password_hash,
        )
        Profile.objects.create(user=admin, display_name="Shabaka admin")
        mark_email_verified(admin)
        ctx.count("users")
    ctx.admin = admin


def person(ctx: SeedContext, user: User) -> Person:
    """The planned person behind a demo user (for gender-specific networks and names)."""
    people: dict[str, Person] = ctx.extra[PEOPLE_KEY]
    return people[user.username]
