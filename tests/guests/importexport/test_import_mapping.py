"""The column and value guesser (pure functions), and what the mapping does to an import."""

from __future__ import annotations

import pytest

from guests.importexport.importing import (
    ImportFileError,
    guests_import,
    mapping_remember,
    table_mapping,
    table_read,
)
from guests.importexport.importing import mapping as m
from guests.models import Guest, Household
from rsvp.models import Response
from tests import factories


@pytest.mark.parametrize(("header", "field"), [
    ("First", "first_name"), ("Given name", "first_name"), ("Nombre", "first_name"), ("First Name 1", "first_name"),
    ("Last Name", "last_name"), ("Surname", "last_name"), ("Apellidos", "last_name"),
    ("Party", "household"), ("Group", "household"), ("Household", "household"), ("Familia", "household"),
    ("Relationship to couple", "side"), ("Bride or Groom", "side"), ("Lado", "side"),
    ("Dietary restrictions", "dietary_notes"), ("Allergies", "dietary_notes"),
    ("Cell", "phone"), ("Teléfono móvil", "phone"), ("E-mail Address", "email"), ("Correo electrónico", "email"),
    ("Plus one", "plus_ones_allowed"), ("Plus-Ones Allowed", "plus_ones_allowed"), ("Is child?", "age_group"),
    ("Age group", "age_group"), ("Address line 1", "address_line"), ("Address Line 2", "address_line"),
    ("Zip", "zip"), ("Postal code", "zip"), ("City", "city"), ("State/Province", "state"), ("Country", "country"),
    ("Partner First Name", "partner_first_name"), ("Spouse last name", "partner_last_name"),
    ("Child 1 Name", "child_name"), ("Child 2", "child_name"), ("Plus One Name", "plus_one_name"),
    ("RSVP", "rsvp"), ("Attending", "rsvp"), ("Tags", "tags"), ("Notes", "notes"), ("Events", "events"),
    ("household_key", "household_key"), ("Reception response", "rsvp:Reception"), ("Dinner Meal", "meal:Dinner"),
    ("Favourite colour", ""),
])
def test_header_names_and_synonyms(header, field):
    assert m.field_guess(header, []) == field


def test_known_events_are_matched_by_any_case():
    assert m.field_guess("CEREMONY rsvp", [], ["Ceremony"]) == "rsvp:Ceremony"
    assert m.field_guess("Ceremony", [], ["Ceremony"]) == "invited:Ceremony"
    assert m.field_guess("Guest response", []) == ""


def test_sample_values_decide_when_the_header_does_not():
    assert m.field_guess("Name", ["Hannah Cohen", "Eli Levi"]) == "full_name"
    assert m.field_guess("Name", ["Hannah", "Eli"]) == "first_name"
    assert m.field_guess("Contact", ["a@example.org", "b@example.org"]) == "email"
    assert m.field_guess("Column C", ["+1 (555) 123-4567", "555 987 6543"]) == "phone"
    assert m.field_guess("Plus one", ["Jordan Lee", ""]) == "plus_one_name"
    assert m.field_guess("Plus one", ["yes", "no"]) == "plus_ones_allowed"
    assert m.field_guess("Child", ["yes", "no"]) == "age_group"
    assert m.field_guess("Child", ["Leo", "Mía"]) == "child_name"


def test_a_field_that_cannot_repeat_goes_to_the_first_column_only_and_remembered_choices_win():
    headers = ["First name", "Given name", "Child 1", "Child 2", "Colour"]
    assert m.mapping_guess(headers, []) == ["first_name", "", "child_name", "child_name", ""]
    assert m.mapping_guess(headers, [], remembered={"colour": "tags", "given name": "nonsense"}) == [
        "first_name", "", "child_name", "child_name", "tags",
    ]


@pytest.mark.parametrize(("value", "side"), [
    ("Bride", "a"), ("Hers", "a"), ("Bride's family", "a"), ("Novia", "a"), ("Lucía's friends", "a"),
    ("Groom", "b"), ("His", "b"), ("Groom's family", "b"), ("Marco", "b"), ("Both", "both"), ("Mutual", "both"),
    ("", "both"), ("Partner A", "a"), ("cousin", None),
])
def test_side_values(value, side):
    assert m.value_guess("side", value, m.couple_names("Lucía & Marco")) == side


@pytest.mark.parametrize(("value", "age"), [
    ("Child", "child"), ("yes", "child"), ("7", "child"), ("1", "infant"), ("Baby", "infant"), ("no", "adult"),
    ("Adult", "adult"), ("34", "adult"), ("", "adult"), ("Sí", "child"), ("elder", None),
])
def test_age_values(value, age):
    assert m.value_guess("age_group", value) == age


@pytest.mark.parametrize(("value", "status"), [
    ("Attending", "attending"), ("Yes", "attending"), ("Sí", "attending"), ("Joyfully accepts", "attending"),
    ("Declined", "declined"), ("No", "declined"), ("Regrets", "declined"), ("", "pending"), ("Awaiting", "pending"),
    ("perhaps later", None),
])
def test_rsvp_values(value, status):
    assert m.value_guess("rsvp", value) == status


@pytest.mark.parametrize(("text", "people"), [
    ("Hannah and Eli Cohen", [("Hannah", "Cohen"), ("Eli", "Cohen")]),
    ("Hannah & Eli Cohen", [("Hannah", "Cohen"), ("Eli", "Cohen")]),
    ("Hannah Cohen and Eli Levi", [("Hannah", "Cohen"), ("Eli", "Levi")]),
    ("Mr. and Mrs. John Smith", [("John", "Smith"), ("Mrs.", "Smith")]),
    ("Lucía y Pablo Ruiz", [("Lucía", "Ruiz"), ("Pablo", "Ruiz")]),
    ("Smith, John", [("John", "Smith")]),
    ("Dr. Ana de la Fuente", [("Ana", "de la Fuente")]),
    ("Cher", [("Cher", "")]),
    ("The Cohen Family", []),
])
def test_names_split_into_people(text, people):
    assert [(p.first_name, p.last_name) for p in m.people_split(text)] == people


def test_full_name_in_a_first_name_column_is_noticed():
    assert m.looks_like_full_name("John Smith", "")
    assert m.looks_like_full_name("John Smith", "Smith")
    assert not m.looks_like_full_name("Mary Ann", "Smith")
    assert not m.looks_like_full_name("John", "")


# --- the mapping in an import -------------------------------------------------------------


def test_a_foreign_layout_imports_with_the_guessed_mapping_and_names_the_ignored_column(wedding):
    content = (
        b"Party,Given name,Surname,Cell,Relationship to couple,Is child?,Dietary restrictions,Favourite colour\n"
        b"Cohen,Hannah,Cohen,555 123 4567,Bride's family,no,vegan,blue\n"
        b"Cohen,Leo,Cohen,,Bride's family,yes,,red\n"
        b"Levi,Eli,Levi,,Groom,,,green\n"
    )
    report = guests_import(wedding=wedding, content=content, filename="list.csv")

    assert report.imported, report.as_dict()
    assert report.ignored_columns == ["Favourite colour"]
    guests = {g.first_name: g for g in Guest.objects.select_related("household")}
    assert guests["Hannah"].phone == "555 123 4567" and guests["Hannah"].dietary_notes == "vegan"
    assert (guests["Hannah"].side, guests["Leo"].side, guests["Eli"].side) == ("a", "a", "b")
    assert (guests["Hannah"].age_group, guests["Leo"].age_group) == ("adult", "child")
    assert guests["Leo"].household == guests["Hannah"].household


def test_the_planner_changes_a_column_and_a_value_and_the_choice_is_remembered(wedding):
    content = b"Name,Whose,Colour\nHannah Cohen,cousin,blue\n"
    table = table_read(content=content, filename="g.csv", known=m.header_known)
    guessed = table_mapping(table=table, wedding=wedding)
    assert guessed.columns == ["full_name", "", ""]

    mapping = m.Mapping(columns=["full_name", "side", "tags"], values={"side": {"cousin": "b"}})
    report = guests_import(wedding=wedding, content=content, filename="g.csv", mapping=mapping)
    assert report.imported and report.ignored_columns == []
    hannah = Guest.objects.get()
    assert hannah.side == "b" and list(hannah.tags.values_list("name", flat=True)) == ["blue"]

    mapping_remember(wedding=wedding, headers=table.headers, mapping=mapping)
    again = table_mapping(table=table, wedding=wedding)
    assert again.columns == ["full_name", "side", "tags"] and again.values == {"side": {"cousin": "b"}}


def test_an_unknown_value_is_a_plain_words_error_naming_line_and_column(wedding):
    report = guests_import(wedding=wedding, content=b"First,Side\nAna,cousin\n", filename="g.csv", dry_run=True)
    [row] = report.errors
    assert row.line == 2 and "column “Side”: “cousin” is not a side Confetti knows" in row.message


def test_no_name_column_at_all_is_refused_with_what_was_found(wedding):
    with pytest.raises(ImportFileError, match="Found: “Colour”, “Size”"):
        guests_import(wedding=wedding, content=b"Colour,Size\nblue,L\n", filename="g.csv")


# --- households ---------------------------------------------------------------------------


def households(wedding) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for guest in Guest.objects.filter(wedding=wedding).select_related("household").order_by("pk"):
        result.setdefault(guest.household.name, []).append(guest.full_name)
    return result


def test_one_row_per_couple_or_family_becomes_one_household_of_several_guests(wedding):
    content = (
        b"Name,Partner First Name,Child 1 Name,Child 2 Name,Plus one name\n"
        b"Hannah and Eli Cohen,,Leo,,\n"
        b"Mr. and Mrs. John Smith,,,,\n"
        b"Ana Ruiz,Pablo,Lola,Teo,\n"
        b"Sam Lee,,,,Jordan Kim\n"
    )
    report = guests_import(wedding=wedding, content=content, filename="couples.csv")

    assert report.imported and report.counts["create"] == 11
    assert households(wedding) == {
        "Hannah and Eli Cohen": ["Hannah Cohen", "Eli Cohen", "Leo Cohen"],
        "Mr. and Mrs. John Smith": ["John Smith", "Mrs. Smith"],
        "Ana and Pablo Ruiz": ["Ana Ruiz", "Pablo Ruiz", "Lola Ruiz", "Teo Ruiz"],
        "Sam Lee": ["Sam Lee", "Jordan Kim"],
    }
    assert set(Guest.objects.filter(age_group="child").values_list("first_name", flat=True)) == {"Leo", "Lola", "Teo"}
    assert list(Guest.objects.filter(is_plus_one=True).values_list("first_name", flat=True)) == ["Jordan"]
    smith = next(r for r in report.rows if r.name == "Mrs. Smith")
    assert "first name unknown" in smith.message


def test_splitting_couples_can_be_turned_off(wedding):
    mapping = m.Mapping(columns=["full_name"], split_couples=False)
    report = guests_import(wedding=wedding, content=b"Name\nHannah and Eli Cohen\n", filename="g.csv", mapping=mapping)
    assert report.imported and households(wedding) == {"Hannah and Eli Cohen": ["Hannah and Eli Cohen"]}


def test_without_grouping_one_household_per_row_or_by_last_name_and_address(wedding, other_wedding):
    content = (
        b"First,Last,Address,Zip\n"
        b"Hannah,Cohen,1 Main St,10001\n"
        b"Eli,Cohen,1 Main St,10001\n"
        b"Ruth,Cohen,9 Elm St,10002\n"
    )
    guests_import(wedding=other_wedding, content=content, filename="g.csv")
    assert households(other_wedding) == {"Hannah Cohen": ["Hannah Cohen"], "Eli Cohen": ["Eli Cohen"], "Ruth Cohen": ["Ruth Cohen"]}

    mapping = m.Mapping(columns=["first_name", "last_name", "address", "zip"], grouping="surname_address")
    report = guests_import(wedding=wedding, content=content, filename="g.csv", mapping=mapping)
    assert report.imported
    assert households(wedding) == {"The Cohen family": ["Hannah Cohen", "Eli Cohen"], "Ruth Cohen": ["Ruth Cohen"]}
    assert Household.objects.get(wedding=wedding, name="The Cohen family").address == "1 Main St\n10001"


def test_a_full_name_in_the_first_name_column_is_flagged(wedding):
    report = guests_import(wedding=wedding, content=b"First name,Last name\nJohn Smith,\n", filename="g.csv", dry_run=True)
    assert "“John Smith” looks like a whole name in a first-name column" in report.rows[0].message


def test_rsvp_and_meal_columns_record_answers(wedding):
    reception = factories.EventFactory(wedding=wedding, name="Reception")
    factories.MealOptionFactory(event=reception, name="Fish")
    content = b"First,RSVP,Reception meal\nAna,Yes,Fish\nLuis,Regrets,\nEva,,\n"
    report = guests_import(wedding=wedding, content=content, filename="g.csv")

    assert report.imported
    answers = {r.guest.first_name: (r.status, r.meal.name if r.meal else "") for r in Response.objects.select_related("guest", "meal")}
    assert answers == {"Ana": ("attending", "Fish"), "Luis": ("declined", "")}
    assert set(reception.invitations.values_list("guest__first_name", flat=True)) == {"Ana", "Luis"}
    again = guests_import(wedding=wedding, content=content, filename="g.csv")
    assert not again.imported and again.counts["unchanged"] == 3


# --- bad rows -----------------------------------------------------------------------------


def test_good_rows_can_be_imported_and_the_bad_ones_downloaded(wedding, django_capture_on_commit_callbacks):
    import csv
    import io

    from guests.importexport.importing import bad_rows_csv
    from realtime.models import Change

    content = (
        b"Household,First name,Last name,Email,Side\n"
        b"Cohen,Hannah,Cohen,hannah@example.org,Bride\n"
        b"Cohen,,Cohen,,Bride\n"  # no first name
        b"Levi,Eli,Levi,not-an-email,Groom\n"
        b"Levi,Ruth,Levi,,=cousin\n"
        b"Ruiz,Ana,Ruiz,,\n"
    )
    all_or_nothing = guests_import(wedding=wedding, content=content, filename="g.csv")
    assert not all_or_nothing.imported and Guest.objects.count() == 0
    assert "Nothing was imported" in all_or_nothing.summary()

    before = Change.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = guests_import(wedding=wedding, content=content, filename="g.csv", skip_bad_rows=True)

    assert report.imported and Change.objects.count() == before + 1 and len(callbacks) == 1
    # Each bad row is left out whole; the good rows come in as one change.
    assert sorted(Guest.objects.values_list("first_name", flat=True)) == ["Ana", "Hannah"]
    assert [(line, reason.split(";")[0]) for line, _cells, reason in report.bad_rows] == [
        (3, "first name is missing"), (4, "email “not-an-email” is not a valid address"),
        (5, "column “Side”: “=cousin” is not a side Confetti knows (choose what it means on the preview, or use one of: Partner A, Partner B, Both)"),
    ]
    assert "bad row(s) were left out" in report.summary()
    rows = list(csv.reader(io.StringIO(bad_rows_csv(headers=report.headers, bad_rows=report.bad_rows).decode("utf-8-sig"))))
    assert rows[0] == ["line", "Household", "First name", "Last name", "Email", "Side", "error"]
    assert rows[1][:6] == ["3", "Cohen", "", "Cohen", "", "Bride"] and rows[1][6] == "first name is missing"
    assert rows[3][5] == "'=cousin"  # neutralised for the spreadsheet it opens in


def test_a_meal_not_on_an_existing_menu_is_refused_and_an_event_without_a_menu_gets_the_files(wedding):
    reception = factories.EventFactory(wedding=wedding, name="Reception")
    brunch = factories.EventFactory(wedding=wedding, name="Brunch")
    factories.MealOptionFactory(event=reception, name="Fish")
    content = b"First,Reception meal,Brunch meal\nAna,Fsh,Pancakes\nLuis,Fish,Pancakes\n"

    report = guests_import(wedding=wedding, content=content, filename="g.csv", skip_bad_rows=True)

    assert [(r.line, r.message) for r in report.errors] == [(2, "“Fsh” is not on the menu of Reception (menu: Fish)")]
    assert report.imported and "Creates the meal “Pancakes”." in report.notes
    assert list(brunch.meal_options.values_list("name", flat=True)) == ["Pancakes"]
    assert {(r.event.name, r.meal.name) for r in Response.objects.filter(guest__first_name="Luis")} == {
        ("Reception", "Fish"), ("Brunch", "Pancakes"),
    }
