"""The demo wedding speaks Spanish too: Spanish versions of its couple-written text, and two
households that read the guest site in Spanish. Adds translations only; the demo's data is
decided in `demo.py`.

Text is matched by its English main text, so a row the demo does not have is simply skipped
and a new demo row gets its Spanish by adding a line here.
"""

from __future__ import annotations

from guests.models import Household
from rsvp.models import MealOption
from wedding.core.models import Event, Wedding

SPANISH = {
    # events
    "Rehearsal dinner": "Cena de ensayo",
    "Ceremony": "Ceremonia",
    "Reception": "Banquete",
    "Garden chapel": "Capilla del jardín",
    "The barn": "El granero",
    "For family and the wedding party.": "Para la familia y el cortejo nupcial.",
    "Dinner and dancing.": "Cena y baile.",
    # meals
    "Vegetable paella": "Paella de verduras",
    "Beef tenderloin": "Solomillo de ternera",
    "Sea bass": "Lubina",
    "Wild mushroom risotto": "Risotto de setas silvestres",
    # the site's pages (standard titles) and the landing page
    "Our story": "Nuestra historia",
    "Schedule": "Programa",
    "Travel & stay": "Viaje y alojamiento",
    "FAQ": "Preguntas frecuentes",
    "Dress code": "Código de vestimenta",
    "Registry": "Lista de bodas",
}
SPANISH_HOUSEHOLDS = 2


def _translate(obj, fields: tuple[str, ...]) -> bool:
    spanish = {f: SPANISH[getattr(obj, f)] for f in fields if getattr(obj, f) in SPANISH}
    if not spanish:
        return False
    obj.translations = {**(obj.translations or {}), "es": {**(obj.translations or {}).get("es", {}), **spanish}}
    return True


def _site_rows(wedding: Wedding) -> list:
    from wedding.site.models import FaqItem, Link, Page, SiteProfile

    return [
        *Page.objects.filter(wedding=wedding), *FaqItem.objects.filter(wedding=wedding),
        *Link.objects.filter(wedding=wedding), *SiteProfile.objects.filter(wedding=wedding),
    ]


def add_spanish(wedding: Wedding) -> int:
    """Give the demo wedding's rows their Spanish text and two households a Spanish preference.
    Returns how many rows got a translation."""
    translated = 0
    for obj in [*Event.objects.filter(wedding=wedding), *MealOption.objects.filter(wedding=wedding),
                *_site_rows(wedding)]:
        if _translate(obj, type(obj).TRANSLATED_FIELDS):
            obj.save(update_fields=["translations"])
            translated += 1
    # Every third household from the second: the printed codes include a Spanish one.
    households = list(Household.objects.filter(wedding=wedding).order_by("pk")[1::3][:SPANISH_HOUSEHOLDS])
    for household in households:
        household.language = "es"
        household.save(update_fields=["language"])
    return translated
