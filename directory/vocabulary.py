"""The directory's fixed vocabularies: sectors, engagement, project stages, regions of Morocco.

Values are stable codes stored in profiles and used as facet values; labels are
translatable. `SEARCH_TERMS` adds the French and Arabic words people type, so a
search for "santé" or "الصحة" finds members of the health sector whatever the
interface language.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    ICT = "ict", _("Information and communication technology")
    AUTOMOTIVE = "automotive", _("Automotive")
    AEROSPACE = "aerospace", _("Aerospace")
    HEALTH = "health", _("Health")
    RESEARCH = "research", _("Research")
    TEACHING = "teaching", _("Teaching")
    LAW = "law", _("Law")
    JOURNALISM = "journalism", _("Journalism and media")
    FINANCE = "finance", _("Finance and banking")
    ENERGY = "energy", _("Energy")
    AGRICULTURE = "agriculture", _("Agriculture and food")
    TOURISM = "tourism", _("Tourism and hospitality")
    ENGINEERING = "engineering", _("Engineering")
    INDUSTRY = "industry", _("Industry")
    LOGISTICS = "logistics", _("Transport and logistics")
    CONSTRUCTION = "construction", _("Construction and architecture")
    ENVIRONMENT = "environment", _("Environment and water")
    COMMERCE = "commerce", _("Commerce")
    CULTURE = "culture", _("Culture and arts")
    SPORT = "sport", _("Sport")
    PUBLIC_SECTOR = "public_sector", _("Public administration")
    SOCIAL = "social", _("Social and non-profit")


class Engagement(models.TextChoices):
    MENTORING = "mentoring", _("Mentoring")
    EXPERTISE_MISSIONS = "expertise_missions", _("Expertise missions")
    TEACHING = "teaching", _("Teaching")
    INVESTMENT = "investment", _("Investment")
    TEMPORARY_RETURN = "temporary_return", _("Temporary return")
    PERMANENT_RETURN = "permanent_return", _("Permanent return")


class ProjectStage(models.TextChoices):
    IDEA = "idea", _("Idea")
    PROTOTYPE = "prototype", _("Prototype")
    LAUNCHED = "launched", _("Launched")


class Region(models.TextChoices):
    """The twelve regions of Morocco (2015 division)."""

    TANGER_TETOUAN_AL_HOCEIMA = "tanger-tetouan-al-hoceima", _("Tanger-Tétouan-Al Hoceïma")
    ORIENTAL = "oriental", _("L'Oriental")
    FES_MEKNES = "fes-meknes", _("Fès-Meknès")
    RABAT_SALE_KENITRA = "rabat-sale-kenitra", _("Rabat-Salé-Kénitra")
    BENI_MELLAL_KHENIFRA = "beni-mellal-khenifra", _("Béni Mellal-Khénifra")
    CASABLANCA_SETTAT = "casablanca-settat", _("Casablanca-Settat")
    MARRAKECH_SAFI = "marrakech-safi", _("Marrakech-Safi")
    DRAA_TAFILALET = "draa-tafilalet", _("Drâa-Tafilalet")
    SOUSS_MASSA = "souss-massa", _("Souss-Massa")
    GUELMIM_OUED_NOUN = "guelmim-oued-noun", _("Guelmim-Oued Noun")
    LAAYOUNE_SAKIA_EL_HAMRA = "laayoune-sakia-el-hamra", _("Laâyoune-Sakia El Hamra")
    DAKHLA_OUED_ED_DAHAB = "dakhla-oued-ed-dahab", _("Dakhla-Oued Ed-Dahab")


# Words in the other two languages that should find a code (English labels come from choices).
SEARCH_TERMS: dict[str, str] = {
    "ict": "ICT IT informatique numérique digital تكنولوجيا المعلوميات",
    "automotive": "automobile سيارات",
    "aerospace": "aéronautique aviation aerospatial طيران",
    "health": "santé médecine medicine الصحة طب",
    "research": "recherche science البحث العلمي",
    "teaching": "enseignement éducation education التعليم",
    "law": "droit juridique avocat legal القانون محاماة",
    "journalism": "journalisme médias presse الصحافة الإعلام",
    "finance": "banque finance المالية البنوك",
    "energy": "énergie renouvelable renewable الطاقة",
    "agriculture": "agriculture agroalimentaire الفلاحة الزراعة",
    "tourism": "tourisme hôtellerie السياحة",
    "engineering": "ingénierie الهندسة",
    "industry": "industrie الصناعة",
    "logistics": "transport logistique النقل اللوجستيك",
    "construction": "BTP bâtiment architecture البناء",
    "environment": "environnement eau water البيئة الماء",
    "commerce": "commerce trade التجارة",
    "culture": "culture arts الثقافة الفنون",
    "sport": "sport الرياضة",
    "public_sector": "administration publique الإدارة العمومية",
    "social": "associatif social ONG الجمعيات",
    "mentoring": "mentorat accompagnement التأطير",
    "expertise_missions": "missions d'expertise خبرة",
    "investment": "investissement الاستثمار",
    "temporary_return": "retour temporaire عودة مؤقتة",
    "permanent_return": "retour définitif عودة نهائية",
    "tanger-tetouan-al-hoceima": "Tanger Tétouan Al Hoceima طنجة تطوان الحسيمة",
    "oriental": "Oriental Oujda الشرق وجدة",
    "fes-meknes": "Fès Meknès فاس مكناس",
    "rabat-sale-kenitra": "Rabat Salé Kénitra الرباط سلا القنيطرة",
    "beni-mellal-khenifra": "Béni Mellal Khénifra بني ملال خنيفرة",
    "casablanca-settat": "Casablanca Settat الدار البيضاء سطات",
    "marrakech-safi": "Marrakech Safi مراكش آسفي",
    "draa-tafilalet": "Drâa Tafilalet درعة تافيلالت",
    "souss-massa": "Souss Massa Agadir سوس ماسة أكادير",
    "guelmim-oued-noun": "Guelmim Oued Noun كلميم واد نون",
    "laayoune-sakia-el-hamra": "Laâyoune Sakia El Hamra العيون الساقية الحمراء",
    "dakhla-oued-ed-dahab": "Dakhla Oued Ed-Dahab الداخلة وادي الذهب",
}


def search_words(choices: type[models.TextChoices], value: str) -> str:
    """The code, its English label and its French/Arabic search words, for the search text."""
    return _search_words(choices, value, translation.get_language())


@lru_cache(maxsize=1024)
def _search_words(choices: type[models.TextChoices], value: str, language: str | None) -> str:
    # Indexing asks for the same few hundred values over and over: translate each once.
    try:
        label = str(choices(value).label)
    except ValueError:
        label = ""
    return " ".join(part for part in (label, SEARCH_TERMS.get(value, "")) if part)
