"""The column and value guesser: which Confetti field each file column holds, and what its values mean.

Pure functions over strings (no database): a header and a few sample values
in, a field key out. The planner sees every guess and can change it, so a
guess only has to be right for the files people really have: the header names
and synonyms below (English and Spanish) come from wedding sites' exports and
spreadsheet templates. Nothing is matched by position.

Field keys are plain strings. Per-event fields carry the event's name after a
colon (``rsvp:Reception``); ``""`` means "ignore this column".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

IGNORE = ""

# Field key → label, in the order the planner's menu lists them.
FIELDS: dict[str, str] = {
    "household": "Household name",
    "household_key": "Household key (Confetti export)",
    "full_name": "Full name(s) — split into guests",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "age_group": "Age group / is a child",
    "side": "Side",
    "tags": "Tags",
    "dietary_notes": "Dietary notes",
    "notes": "Planner notes (guest)",
    "directory_opt_in": "Listed in the guest directory",
    "is_plus_one": "Is a plus-one",
    "events": "Events invited to",
    "rsvp": "RSVP (every invited event)",
    "partner_name": "Partner's full name",
    "partner_first_name": "Partner's first name",
    "partner_last_name": "Partner's last name",
    "child_name": "A child's name",
    "member_name": "Another guest's name (same household)",
    "plus_one_name": "Plus-one's name",
    "plus_ones_allowed": "Plus-ones allowed",
    "address": "Mailing address (whole)",
    "address_line": "Address line",
    "city": "City",
    "state": "State / province",
    "zip": "ZIP / postal code",
    "country": "Country",
    "household_email": "Household email",
    "household_phone": "Household phone",
    "household_notes": "Planner notes (household)",
}
EVENT_FIELDS = {"rsvp": "RSVP for", "meal": "Meal at", "table": "Table at"}
# Fields several columns may feed (joined in column order).
REPEATABLE = {"child_name", "member_name", "address_line", "tags", "notes", "dietary_notes", "full_name"}
# Fields whose distinct values the planner maps onto Confetti's.
VALUE_KINDS = {"side": "side", "age_group": "age_group", "rsvp": "rsvp"}


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "Teléfono (móvil)" → "telefono movil"."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = text.replace("+1", " plus one ").replace("&", " and ").replace("#", " number ")
    text = re.sub(r"(\w)'s\b", r"\1", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# (pattern on the folded header, field), first match wins: specific before general.
_P = r"(?:partner|spouse|guest 2|2nd guest|second guest|pareja|conyuge|companion|other guest|significant other)"
RULES: list[tuple[str, str]] = [
    (r"^(household|party|group|family) (key|id|code)$", "household_key"),
    (r"^household (email|e mail)$", "household_email"),
    (r"^household (phone|telephone)$", "household_phone"),
    (r"^household (notes?|comments?)$", "household_notes"),
    (rf"^{_P} (first|given)( name)?$|^{_P} nombre$|^nombre (de la )?pareja$", "partner_first_name"),
    (rf"^{_P} (last|family|sur) ?name$|^{_P} (last|surname|apellidos?)$", "partner_last_name"),
    (rf"^{_P}( full)?( name)?$", "partner_name"),
    (r"^(child|kid|children|kids|nino|ninos|hijo|hijos|dependent)s? ?\d*( (first |full )?names?)?$", "child_name"),
    (r"^(plus one|guest of guest|acompanante|companion|additional guest)s? (first |full )?names?$|^name of plus one$", "plus_one_name"),
    (r"^is (a )?plus one$", "is_plus_one"),
    (r"^(additional|other|extra|another) (guest|person|member)s? ?(\d+|one|two|three)?( (full )?names?)?$", "member_name"),
    (r"first (and|y) last names?|^(primary |main |formal )?guest s? (full )?names?( s)?$|^formal (guest )?names?( s)?$", "full_name"),
    (r"^(number of )?plus ones?( allowed)?$|^(allowed|max) plus ones?$|^plus one allowed$|^acompanantes?$|^additional guests? allowed$", "plus_ones_allowed"),
    (r"^(is (a )?)?(child|kid|minor|nino)$|^age( group| range| category)?$|^adult( or |/| )child$|^edad$|^(adult|child)$", "age_group"),
    (r"^(side|lado|whose guest|bride or groom|groom or bride|his or hers|hers or his|relationship( to (the )?couple)?|relacion|invited by|guest of)$", "side"),
    (r"^(guest )?(first|given|fore)( ?names?)?( \d+)?$|(first|given|fore) ?names?|^nombres?$|^primer nombre$", "first_name"),
    (r"(last|family|sur) ?names?|^apellidos?$|^last$", "last_name"),
    (r"e ?mail|correo|^mail$", "email"),
    (r"phone|^cell|mobile|^tel$|telefono|^movil|celular|whatsapp", "phone"),
    (r"^(mailing |postal |full |home )?address$|^direccion( postal)?$|^domicilio$", "address"),
    (r"^(street )?(address|direccion|calle)( line)? ?(\d+|one|two|three)?$|^street( address)?( line)? ?(\d+|one|two|three)?$"
     r"|^apt|^suite|^unit$|^apartment", "address_line"),
    (r"^(city|town|ciudad|localidad|poblacion|municipio)$", "city"),
    (r"^(state|province|region|county|provincia|estado|state province)$", "state"),
    (r"^(zip|zip code|zipcode|postcode|post code|postal code|codigo postal|cp)$", "zip"),
    (r"^(country|pais)$", "country"),
    (r"^(household|household name|household group( id)?|party|party name|group|group name|family|familia|hogar|grupo|invitation name|"
     r"addressed to|envelope name|mailing name|addressee|invite name)$", "household"),
    (r"^(full )?names?$|^guest( full)? names?$|^guests?$|^nombre completo$|^invitados?$|^invitee|^name of guest", "full_name"),
    (r"diet|allerg|alergia|restriction|food (preference|requirement)", "dietary_notes"),
    (r"^(events?|events invited to|invited to|invitations?|eventos?)$", "events"),
    (r"^(rsvp|rsvp status|attending|attendance|response|status|asistencia|confirmado|confirmation|will attend|attending yes no)$", "rsvp"),
    (r"^(tags?|labels?|categor(y|ies)|lists?|etiquetas?|circle)$", "tags"),
    (r"^(meal|meal choice|entree|entree choice|menu|menu choice|plato)$", "meal"),
    (r"^(table|table number|table no|mesa|seating|seat table)$", "table"),
    (r"^(directory|directory opt in|listed in( the)?( guest)? directory)$", "directory_opt_in"),
    (r"^(planner )?(notes?|comments?|notas?|comentarios?|memo)$", "notes"),
]
_RULES = [(re.compile(p), f) for p, f in RULES]
_EVENT_SUFFIX = re.compile(r"^(?P<event>.+?)\s*[:\-–]?\s*(?P<what>response|rsvp|meal|entree|table)$", re.IGNORECASE)
_EVENT_WHAT = {"response": "rsvp", "rsvp": "rsvp", "meal": "meal", "entree": "meal", "table": "table"}
# Words that make "<X> response" a person's column, not an event's.
_NOT_EVENTS = {"guest", "partner", "plus one", "child", "household", "party", "group", "guest 1", "guest 2"}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
PHONE = re.compile(r"^\+?[\d\s().\-/]{7,}$")


def event_field(header: str, events: Iterable[str] = ()) -> str:
    """"Reception response" → "rsvp:Reception" (known events by any case; others by our export's suffixes)."""
    match = _EVENT_SUFFIX.match(header.strip())
    if not match:
        return IGNORE
    event = " ".join(match["event"].split())
    what = _EVENT_WHAT[match["what"].lower()]
    known = {fold(e): e for e in events}
    if fold(event) in known:
        return f"{what}:{known[fold(event)]}"
    if fold(event) in _NOT_EVENTS or not fold(event):
        return IGNORE
    return f"{what}:{event}"


def field_by_name(header: str, events: Iterable[str] = ()) -> str:
    """The field a header names, by its words alone ("" when it names none).

    A two-row header's label ("Children › Child 1") is tried whole, then by its column alone.
    """
    if "›" in header:
        return _field_by_name(header, events) or _field_by_name(header.rpartition("›")[2], events)
    return _field_by_name(header, events)


def _field_by_name(header: str, events: Iterable[str] = ()) -> str:
    folded = fold(header)
    if not folded:
        return IGNORE
    if folded in {fold(e) for e in events}:
        return f"invited:{next(e for e in events if fold(e) == folded)}"
    exact = {fold(key): key for key in FIELDS}
    if folded in exact:
        return exact[folded]
    for pattern, key in _RULES:
        if pattern.search(folded):
            return key
    return event_field(header, events)


def header_known(header: str) -> bool:
    return field_by_name(header) != IGNORE


def _looks_like_names(samples: list[str]) -> bool:
    filled = [s for s in samples if s]
    return bool(filled) and all(re.match(r"^[^\W\d_]", s) for s in filled) and not all(
        fold(s) in BOOL_WORDS for s in filled
    )


def field_guess(header: str, samples: list[str], events: Iterable[str] = ()) -> str:
    """The field for a column from its header and some of its values."""
    key = field_by_name(header, events)
    filled = [s for s in samples if s]
    if key in ("first_name", "full_name") and filled and fold(header) in {"name", "names", "nombre", "guest name"}:
        # "Name" holding "Hannah Cohen" is a full name to split; holding "Hannah", a first name.
        several = sum(1 for s in filled if len(s.split()) > 1)
        return "full_name" if several * 2 > len(filled) else "first_name"
    if key == "plus_ones_allowed" and filled and _looks_like_names(filled) and not all(s.isdigit() for s in filled):
        return "plus_one_name"
    if key == "age_group" and filled and _looks_like_names(filled) and not any(
        age_guess(s) for s in filled
    ):
        return "child_name"
    if key == "child_name" and filled and all(fold(s) in BOOL_WORDS or s.isdigit() for s in filled):
        return "age_group"
    if key == "household" and filled and all(side_guess(s) for s in filled):
        # A "Group" of "Bride's family", "Mutual friends": sides, not households.
        return "side"
    if key in ("meal", "table"):
        # Which event's meal or table? Only sure when the wedding has one event.
        events = list(events)
        return f"{key}:{events[0]}" if len(events) == 1 else IGNORE
    if key == IGNORE and filled:
        if all(EMAIL.match(s) for s in filled):
            return "email"
        if all(PHONE.match(s) and sum(ch.isdigit() for ch in s) >= 7 for s in filled):
            return "phone"
    return key


def mapping_guess(
    headers: list[str], rows: list[list[str]], events: Iterable[str] = (), remembered: dict[str, str] | None = None,
) -> list[str]:
    """One field per column. A remembered choice (by folded header) wins; a field
    that cannot repeat goes to the first column that names it, later ones are ignored."""
    events = list(events)
    remembered = remembered or {}
    guesses: list[str] = []
    taken: set[str] = set()
    for index, header in enumerate(headers):
        samples = [row[index] for row in rows[:50] if index < len(row)]
        key = remembered.get(fold(header))
        if key is None or not field_valid(key):
            key = field_guess(header, samples, events)
        if key and key not in REPEATABLE and key in taken:
            key = IGNORE
        taken.add(key)
        guesses.append(key)
    return guesses


def field_valid(key: str) -> bool:
    if key == IGNORE or key in FIELDS:
        return True
    what, _, event = key.partition(":")
    return bool(event.strip()) and (what in EVENT_FIELDS or what == "invited")


def field_label(key: str) -> str:
    if key in FIELDS:
        return FIELDS[key]
    what, _, event = key.partition(":")
    if what == "invited":
        return f"Invited to {event}"
    return f"{EVENT_FIELDS.get(what, what)} {event}" if event else "Ignore"


def field_kind(key: str) -> str:
    """Which value map a field's values go through ("side", "age_group", "rsvp", or "")."""
    return VALUE_KINDS.get(key.partition(":")[0], "")


# --- values --------------------------------------------------------------------------

BOOL_WORDS = {"yes", "y", "true", "x", "1", "si", "no", "n", "false", "0", "none", "ok"}
_YES = {"yes", "y", "true", "x", "1", "si", "ok", "checked", "v"}


def bool_guess(value: str) -> bool | None:
    folded = fold(value)
    if folded in _YES or value.strip() in {"✓", "✔"}:
        return True
    if folded in {"", "no", "n", "false", "0", "none", "unchecked"}:
        return False
    return None


def couple_names(wedding_name: str) -> tuple[str, str]:
    """The two first names in "Lucía & Marco" (for "Lucía's family" → her side)."""
    parts = re.split(r"\s*(?:&|\+|\band\b|\by\b)\s*", wedding_name, maxsplit=1)
    if len(parts) != 2:
        return "", ""
    return fold(parts[0]).split(" ")[0] if fold(parts[0]) else "", fold(parts[1]).split(" ")[0] if fold(parts[1]) else ""


_SIDE_A = {"bride", "hers", "her", "novia", "a", "partner a", "wife", "she"}
_SIDE_B = {"groom", "his", "him", "novio", "b", "partner b", "husband", "he"}
_SIDE_BOTH = {"both", "mutual", "shared", "ambos", "couple", "all", "both sides", "friends of both", "common", "pareja",
              "joint", "mutual friends"}


def side_guess(value: str, couple: tuple[str, str] = ("", "")) -> str | None:
    words = set(fold(value).split())
    folded = fold(value)
    if folded in _SIDE_BOTH or folded in {"partner a partner b", "bride and groom", "groom and bride"}:
        return "both"
    numbered = "partner" in words or "p" in words
    a = bool(words & _SIDE_A) or bool(couple[0] and couple[0] in words) or (numbered and bool(words & {"1", "one"}))
    b = bool(words & _SIDE_B) or bool(couple[1] and couple[1] in words) or (numbered and bool(words & {"2", "two"}))
    if a and b:
        return "both"
    if a:
        return "a"
    if b:
        return "b"
    if words & _SIDE_BOTH:
        return "both"
    return None


def age_guess(value: str) -> str | None:
    folded = fold(value)
    if folded.isdigit():
        years = int(folded)
        return "infant" if years < 2 else "child" if years < 18 else "adult"
    if folded in {"infant", "baby", "bebe", "toddler", "newborn"}:
        return "infant"
    if folded in {"child", "kid", "children", "nino", "nina", "minor", "menor", "c", "yes", "y", "x", "true", "si", "teen"}:
        return "child"
    if folded in {"adult", "adulto", "adulta", "a", "no", "n", "false", "grown up", ""}:
        return "adult"
    return None


_ATTENDING = {"attending", "yes", "y", "si", "accepted", "accepts", "accept", "will attend", "confirmed", "confirmado",
              "asiste", "asistira", "going", "attend", "coming", "joyfully accepts", "attends", "x", "true"}
_DECLINED = {"declined", "declines", "no", "n", "regrets", "decline", "not attending", "will not attend", "wont attend",
             "no asiste", "no asistira", "not going", "regretfully declines", "cant make it", "false", "not coming"}
_PENDING = {"", "pending", "no response", "awaiting", "awaiting response", "invited", "maybe", "unknown",
            "no answer yet", "sin respuesta", "not responded", "no reply", "pendiente", "tbd", "not yet"}


def rsvp_guess(value: str) -> str | None:
    folded = fold(value)
    if folded in _ATTENDING:
        return "attending"
    if folded in _DECLINED:
        return "declined"
    if folded in _PENDING:
        return "pending"
    return None


def value_guess(kind: str, value: str, couple: tuple[str, str] = ("", "")) -> str | None:
    """Confetti's stored value for a file value of this kind, or None when there is no sensible guess."""
    if kind == "side":
        return side_guess(value, couple) if value.strip() else "both"
    if kind == "age_group":
        return age_guess(value)
    if kind == "rsvp":
        return rsvp_guess(value)
    return None


# --- names ---------------------------------------------------------------------------

TITLES = r"(?:mr|mrs|ms|miss|mx|dr|prof|rev|sr|sra|srta|don|dona|sir|lady|capt|hon)\.?"
_TITLE_WORD = re.compile(rf"^{TITLES}$", re.IGNORECASE)
_AND = re.compile(r"\s+(?:and|&|y|\+|e)\s+|\s*&\s*", re.IGNORECASE)


def _strip_titles(words: list[str]) -> list[str]:
    return [w for w in words if not _TITLE_WORD.match(fold(w) or w)]


def name_split(text: str) -> tuple[str, str]:
    """"Hannah Cohen" → ("Hannah", "Cohen"); "Cohen, Hannah" → ("Hannah", "Cohen"); "Cher" → ("Cher", "")."""
    text = " ".join(text.split())
    if "," in text:
        last, _, first = text.partition(",")
        if first.strip() and last.strip():
            return " ".join(_strip_titles(first.split())) or first.strip(), last.strip()
    words = _strip_titles(text.split()) or text.split()
    if len(words) <= 1:
        return (words[0] if words else ""), ""
    # Particles belong to the last name: "Ana de la Fuente".
    cut = len(words) - 1
    while cut > 1 and fold(words[cut - 1]) in {"de", "del", "la", "van", "von", "der", "da", "di", "le", "du", "dos"}:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


@dataclass
class Person:
    first_name: str
    last_name: str
    role: str = "main"  # "main" | "partner" | "child" | "plus_one"
    note: str = ""


def people_split(text: str, *, last_name: str = "") -> list[Person]:
    """The people one name cell names.

    "Hannah and Eli Cohen" → Hannah Cohen, Eli Cohen; "Hannah Cohen & Eli Levi" → both;
    "Mr. and Mrs. John Smith" → John Smith and a partner whose first name is unknown
    (kept as "Mrs." with a note: nobody is dropped); "The Cohen Family" → nobody (a household name).
    """
    text = " ".join(text.split())
    if not text or re.match(r"^the .+ (family|household|familia)$", fold(text)):
        return []
    # "Mr. and Mrs. John Smith": two titles, one name.
    titles = re.match(rf"^({TITLES})\s+(?:and|&|y)\s+({TITLES})\s+(.+)$", text, re.IGNORECASE)
    if titles:
        first, last = name_split(titles.group(3))
        last = last or last_name
        second = titles.group(2).rstrip(".").capitalize() + "."
        return [Person(first, last), Person(second, last, role="partner", note="first name unknown")]
    parts = [p for p in _AND.split(text) if p.strip()]
    if len(parts) == 1:
        first, last = name_split(parts[0]) if not last_name else (parts[0], last_name)
        if last_name and len(parts[0].split()) > 1 and fold(parts[0]).endswith(fold(last_name)):
            first, last = name_split(parts[0])
        return [Person(first, last)]
    people = []
    split = [name_split(p) for p in parts]
    shared_last = split[-1][1] or last_name
    for index, (part, (first, last)) in enumerate(zip(parts, split, strict=True)):
        if not last or (index < len(parts) - 1 and len(part.split()) == 1):
            first, last = " ".join(_strip_titles(part.split())) or part, shared_last
        people.append(Person(first, last, role="main" if index == 0 else "partner"))
    return people


def looks_like_full_name(first: str, last: str) -> bool:
    """A first-name cell that holds a whole name ("John Smith" with no or the same last name)."""
    words = first.split()
    if len(words) < 2 or _AND.search(first):
        return False
    if last and fold(words[-1]) != fold(last):
        return False
    return all(w[:1].isupper() for w in words) and fold(words[-1]) not in {"jr", "sr", "ii", "iii"}


@dataclass
class Mapping:
    """The planner's decisions for one file: a field per column, value maps, household options."""

    columns: list[str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # kind → {folded file value: stored}
    split_couples: bool = True
    grouping: str = "row"  # without a household column: "row" | "surname_address"

    def as_dict(self) -> dict:
        return {"columns": self.columns, "values": self.values, "split_couples": self.split_couples,
                "grouping": self.grouping}

    @classmethod
    def from_dict(cls, data: dict) -> Mapping:
        return cls(
            columns=[c if field_valid(c) else IGNORE for c in data.get("columns", [])],
            values={k: dict(v) for k, v in (data.get("values") or {}).items()},
            split_couples=bool(data.get("split_couples", True)),
            grouping=data.get("grouping") if data.get("grouping") in ("row", "surname_address") else "row",
        )
