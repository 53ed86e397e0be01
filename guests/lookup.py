"""Finding a household by a guest's name, the way people actually type it.

Tolerant of case, accents, extra spaces and common short forms (Bob for
Robert, Liz for Elizabeth, Pepe for José…). A name alone never identifies a
household: the caller must also check a second answer (`second_answer_matches`,
an email or phone on file) so the look-up can neither be used to learn who
is on the list nor answered by someone who has only read the guest directory.
"""

from __future__ import annotations

import hmac
import unicodedata
from collections.abc import Iterable

# Full name → short forms. Small on purpose: the common ones in English and Spanish.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "elizabeth": ("liz", "lizzie", "lizzy", "beth", "betty", "eliza", "libby", "elisabeth", "elsa"),
    "william": ("will", "bill", "billy", "willy", "liam"),
    "margaret": ("maggie", "meg", "peggy", "marge", "greta"),
    "james": ("jim", "jimmy", "jamie"),
    "michael": ("mike", "mikey", "mick"),
    "katherine": ("kate", "katie", "kathy", "kat", "kitty", "catherine", "cathy", "kathryn"),
    "richard": ("rick", "ricky", "dick", "rich", "richie"),
    "thomas": ("tom", "tommy"),
    "jennifer": ("jen", "jenny"),
    "alexander": ("alex", "xander", "sasha", "sandy"),
    "alexandra": ("alex", "lexi", "sasha", "sandra", "sandy"),
    "alejandro": ("alex", "alejo", "jandro"),
    "christopher": ("chris", "kit", "topher"),
    "christine": ("chris", "chrissy", "tina", "christina"),
    "daniel": ("dan", "danny"),
    "joseph": ("joe", "joey"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "anthony": ("tony",),
    "antonio": ("toni", "tono", "tony"),
    "nicholas": ("nick", "nicky", "nico"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sam", "sammy"),
    "patricia": ("pat", "patty", "trish", "tricia", "patri"),
    "patrick": ("pat", "paddy"),
    "susan": ("sue", "susie", "suzy"),
    "victoria": ("vicky", "tori", "vicki"),
    "rebecca": ("becky", "becca"),
    "andrew": ("andy", "drew"),
    "benjamin": ("ben", "benny"),
    "matthew": ("matt",),
    "steven": ("steve", "stephen"),
    "timothy": ("tim", "timmy"),
    "jonathan": ("jon", "jonny"),
    "zachary": ("zach", "zack"),
    "deborah": ("debbie", "deb", "debra"),
    "abigail": ("abby", "abbie"),
    "charles": ("charlie", "chuck", "chas"),
    "charlotte": ("charlie", "lottie"),
    "henry": ("harry", "hank"),
    "francisco": ("paco", "pancho", "fran", "curro", "frank"),
    "francesca": ("fran", "frankie", "chesca"),
    "jose": ("pepe", "chema"),
    "manuel": ("manolo", "manu"),
    "dolores": ("lola",),
    "guadalupe": ("lupe",),
    "ignacio": ("nacho",),
    "jesus": ("chucho", "chuy"),
    "enrique": ("quique",),
    "concepcion": ("concha", "conchi"),
    "rosario": ("charo",),
    "mercedes": ("merche",),
    "gabriel": ("gabe", "gabi"),
    "gabriela": ("gabi", "gaby"),
    "isabel": ("isa", "bel", "chabela"),
    "eduardo": ("edu", "lalo"),
    "guillermo": ("guille", "memo"),
    "roberto": ("beto", "rober"),
    "alberto": ("beto", "berto"),
    "federico": ("fede",),
    "santiago": ("santi",),
    "sebastian": ("seba", "sebas"),
    "lucia": ("lu", "luci"),
    "marco": ("marc",),
}


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form: 'José  Ruíz' → 'jose ruiz'."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _build_groups() -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for full, shorts in SHORT_FORMS.items():
        for name in (full, *shorts):
            groups.setdefault(name, set()).add(full)
    return {name: frozenset(fulls) for name, fulls in groups.items()}


_GROUPS = _build_groups()


def first_name_forms(name: str) -> frozenset[str]:
    """Every identity a first name may stand for: itself and the full names it shortens."""
    folded = fold(name)
    return frozenset({folded}) | _GROUPS.get(folded, frozenset())


def first_names_match(typed: str, stored: str) -> bool:
    typed_forms, stored_forms = first_name_forms(typed), first_name_forms(stored)
    if typed_forms & stored_forms:
        return True
    # "Maria" for "María José": a typed first name may be the first of several.
    stored_words = fold(stored).split()
    return len(stored_words) > 1 and bool(first_name_forms(stored_words[0]) & typed_forms)


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _surname_forms(text: str) -> set[str]:
    """'Müller' → {'muller', 'mueller'}; "O'Brien" → {'o brien', 'obrien'}."""
    forms = {fold(text), fold(text.translate(_GERMAN))}
    return forms | {f.replace(" ", "") for f in forms}


def last_names_match(typed: str, stored: str) -> bool:
    """Exact after folding, or one whole surname of a compound one ('Garcia' for 'García López')."""
    if not fold(typed):
        return False
    typed_forms, stored_forms = _surname_forms(typed), _surname_forms(stored)
    if typed_forms & stored_forms:
        return True
    for t in typed_forms:
        typed_words = t.split()
        for s in stored_forms:
            words = s.split()
            if any(words[i : i + len(typed_words)] == typed_words for i in range(len(words))):
                return True
    return False


def matching_guests(guests: Iterable, *, first_name: str, last_name: str) -> list:
    """The guests whose name matches what was typed (guests need first_name and last_name)."""
    return [
        g for g in guests
        if first_names_match(first_name, g.first_name) and last_names_match(last_name, g.last_name)
    ]


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


# Fewer digits than this is not a phone number anyone could be told apart by.
MIN_PHONE_DIGITS = 7


def _phones_match(typed: str, stored: str) -> bool:
    """'600 11 22 33' for '+34 600-11-22-33': digits only, a country prefix may be left out."""
    typed, stored = _digits(typed), _digits(stored)
    if len(typed) < MIN_PHONE_DIGITS or len(stored) < MIN_PHONE_DIGITS:
        return False
    shorter = min(len(typed), len(stored))
    return hmac.compare_digest(typed[-shorter:], stored[-shorter:])


def second_answer_matches(answer: str, *, emails: Iterable[str], phones: Iterable[str]) -> bool:
    """The second question: an email address or phone number on file for the household or its guests.

    Never the household's name: "The Smith household" is read off the guest
    directory. Compared normalised (case and spaces of an email; only the
    digits of a phone) and in constant time, every candidate checked, so
    the answer's timing says nothing about how close a guess was.
    """
    answer = answer.strip()
    if not answer:
        return False
    matched = False
    if "@" in answer:
        typed = answer.lower().encode()
        for email in emails:
            if email:
                matched |= hmac.compare_digest(typed, email.strip().lower().encode())
    else:
        for phone in phones:
            if phone:
                matched |= _phones_match(answer, phone)
    return matched
