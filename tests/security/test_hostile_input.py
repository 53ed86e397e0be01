"""Issue 8 "Hostile input": property tests over every guest-facing form and the import.

Arbitrary text, huge values, NUL bytes, wrong types, repeated keys, and the ids
of *another* wedding's guests, events, meals, songs and tributes are thrown at
each endpoint as the household's own guest. Every answer must be a page or a
4xx (never a 500), and the other wedding must not change at all (its version
and every one of its rows are the same afterwards). The import gets arbitrary
files: it reports or refuses them, never crashes, never writes to another
wedding, and writes nothing to its own while any row is bad.
"""

from __future__ import annotations

import functools
import hashlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guests.importexport import importing
from guests.session import SESSION_KEY
from tests import factories
from wedding.core.models import Moderation, Wedding, WeddingScoped
from wedding.songs.models import SongRequest

EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples every run: a failure is reproducible in CI
)

NASTY = [
    "", " ", "\x00", "a\x00b", "0", "-1", "1.5", "1e309", "NaN", "99999999999999999999999999",
    "attending", "declined", "pending", "on", "true", "<script>alert(1)</script>", "' OR 1=1 --",
    "../../etc/passwd", "%00", "\u202e\u0000\ud7ff", "🎉" * 50, "x" * 5000,
]


def scoped_models() -> list[type]:
    return [m for m in apps.get_models() if issubclass(m, WeddingScoped)]


_SENTINEL = 987_654_321  # stands for the wedding's id while the queries are compiled


@functools.cache
def _fingerprint_queries() -> list[tuple[str, tuple]]:
    """Each of the wedding's models, and their many-to-many links, as one compiled SELECT.

    Compiled once: the ORM's compilation per query per example was most of this file's time.
    """
    querysets = [Wedding.objects.filter(pk=_SENTINEL)]
    for model in scoped_models():
        querysets.append(model._default_manager.filter(wedding_id=_SENTINEL))
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through._default_manager
            querysets.append(through.filter(**{f"{m2m.m2m_field_name()}__wedding_id": _SENTINEL}))
    queries = []
    for queryset in querysets:
        sql, params = queryset.order_by("pk").values_list().query.sql_with_params()
        assert _SENTINEL in params, sql
        queries.append((sql, params))
    return queries


def fingerprint(wedding_id: int) -> str:
    """Everything a wedding holds, hashed: any change to any of its rows changes it."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for sql, params in _fingerprint_queries():
            cursor.execute(sql, [wedding_id if p == _SENTINEL else p for p in params])
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def _wedding_with_everything(name: str):
    planner = factories.UserFactory()
    wedding = factories.WeddingFactory(name=name, planners=[planner], guestbook_moderation=False)
    event = factories.EventFactory(wedding=wedding)
    meal = factories.MealOptionFactory(event=event)
    household = factories.HouseholdFactory(wedding=wedding, plus_ones_allowed=1)
    guests = factories.GuestFactory.create_batch(2, household=household)
    for guest in guests:
        factories.InvitationFactory(guest=guest, event=event)
    song = factories.SongRequestFactory(wedding=wedding, requested_by=household, status=SongRequest.Status.APPROVED)
    tribute = factories.TributeFactory(wedding=wedding, published=True)
    photo = factories.PhotoFactory(wedding=wedding, status=Moderation.APPROVED)
    return SimpleNamespace(
        wedding=wedding, event=event, meal=meal, household=household, guests=guests, song=song,
        tribute=tribute, photo=photo,
    )


@pytest.fixture
def world(db, settings):
    settings.RATELIMIT_ENABLE = False  # throttling is tested elsewhere; here every request must reach the form
    ours = _wedding_with_everything("Ours")
    theirs = _wedding_with_everything("Theirs")
    client = Client()
    session = client.session
    session[SESSION_KEY] = {"id": ours.household.pk, "code": ours.household.invitation_code}
    session.save()
    return SimpleNamespace(ours=ours, theirs=theirs, client=client)


def values(world) -> st.SearchStrategy[str]:
    """Anything a hostile client could put in a field, including the other wedding's ids."""
    t, o = world.theirs, world.ours
    foreign_ids = [t.event.pk, t.meal.pk, t.household.pk, t.song.pk, t.tribute.pk, t.photo.pk, *(g.pk for g in t.guests)]
    own_ids = [o.event.pk, o.meal.pk, o.song.pk, o.tribute.pk, *(g.pk for g in o.guests)]
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=60),
        st.text(min_size=300, max_size=3000),
        st.integers().map(str),
        st.sampled_from(foreign_ids).map(str),
        st.sampled_from(own_ids).map(str),
        st.sampled_from([t.household.invitation_code, t.household.name, t.guests[0].first_name, t.event.name]),
    )


def form_data(world, draw, keys: list[str]) -> dict:
    vals = values(world)
    data = {key: draw(st.one_of(vals, st.lists(vals, min_size=2, max_size=3))) for key in keys if draw(st.integers(0, 4))}
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=20), vals, max_size=3))
    return {**extra, **data}


def rsvp_keys(world) -> list[str]:
    keys = ["note", "send_copy", "email", "p1_first", "p1_last", "p1_dietary"]
    for side in (world.ours, world.theirs):
        for guest in side.guests:
            for event in (world.ours.event, world.theirs.event):
                keys += [f"g{guest.pk}_e{event.pk}_status", f"g{guest.pk}_e{event.pk}_meal"]
            keys += [f"g{guest.pk}_dietary", f"g{guest.pk}_remove"]
        keys += [f"p1_e{side.event.pk}_status", f"p1_e{side.event.pk}_meal"]
    return keys


def test_the_fingerprint_sees_a_changed_column_a_new_row_and_a_new_link(world):
    theirs = world.theirs
    seen = {fingerprint(theirs.wedding.pk)}
    type(theirs.guests[0]).objects.filter(pk=theirs.guests[0].pk).update(dietary_notes="vegan")
    seen.add(fingerprint(theirs.wedding.pk))
    tag = factories.TagFactory(wedding=theirs.wedding)
    seen.add(fingerprint(theirs.wedding.pk))
    theirs.guests[1].tags.add(tag)
    seen.add(fingerprint(theirs.wedding.pk))
    assert len(seen) == 4
    assert fingerprint(world.ours.wedding.pk) == fingerprint(world.ours.wedding.pk)


ENDPOINTS = {
    "code entry": ("/", ["code"], False),
    "name lookup": ("/find/", ["first_name", "last_name", "answer"], False),
    "rsvp": ("/rsvp/", None, True),
    "rsvp change request": ("/rsvp/change/", ["message"], True),
    "guest request": ("/requests/", ["kind", "guest", "message"], True),
    "directory": ("/directory/", ["listed"], True),
    "guestbook": ("/guestbook/", ["author_name", "message"], True),
    "song request": ("/songs/", ["guest", "title", "artist", "dedication"], True),
    "song vote (own song)": ("/songs/{ours.song.pk}/vote/", ["guest", "vote"], True),
    "song vote (their song)": ("/songs/{theirs.song.pk}/vote/", ["guest", "vote"], True),
    "remembrance (own tribute)": ("/tributes/{ours.tribute.pk}/remember/", ["author_name", "message"], True),
    "remembrance (their tribute)": ("/tributes/{theirs.tribute.pk}/remember/", ["author_name", "message"], True),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_guest_forms_answer_hostile_input_without_error_or_foreign_change(world, endpoint):
    path_template, keys, as_guest = ENDPOINTS[endpoint]
    path = path_template.format(ours=world.ours, theirs=world.theirs)
    keys = keys if keys is not None else rsvp_keys(world)
    theirs_before = fingerprint(world.theirs.wedding.pk)

    @EXAMPLES
    @given(st.data())
    def run(data):
        client = world.client if as_guest else Client()
        response = client.post(path, form_data(world, data.draw, keys))
        assert response.status_code < 500, (endpoint, response.status_code)
        assert fingerprint(world.theirs.wedding.pk) == theirs_before, f"{endpoint} changed another wedding"

    run()


def test_invitation_link_with_any_code_never_errors(world):
    theirs_before = fingerprint(world.theirs.wedding.pk)

    @EXAMPLES
    @given(st.text(min_size=1, max_size=300).filter(lambda s: "/" not in s and "?" not in s and "#" not in s))
    def run(code):
        response = Client().get(f"/i/{code}/")
        assert response.status_code < 500

    run()
    assert fingerprint(world.theirs.wedding.pk) == theirs_before


def test_photo_upload_of_arbitrary_files_never_errors(world):
    theirs_before = fingerprint(world.theirs.wedding.pk)

    @EXAMPLES
    @given(
        st.lists(st.tuples(st.text(min_size=1, max_size=40), st.binary(max_size=2048)), min_size=1, max_size=3),
        st.sampled_from(NASTY),
    )
    def run(files, caption):
        uploads = [SimpleUploadedFile(name.replace("/", "_") or "x", content) for name, content in files]
        response = world.client.post("/photos/", {"photos": uploads, "caption": caption})
        assert response.status_code < 500

    run()
    assert fingerprint(world.theirs.wedding.pk) == theirs_before


# --- the import ---------------------------------------------------------------------------

HEADERS = [*importing.COLUMNS, "family", "surname", "diet", "unknown column", ""]


def _csv(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def test_import_of_hostile_files_reports_or_refuses_and_never_touches_another_wedding(world):
    ours, theirs = world.ours.wedding, world.theirs.wedding
    theirs_before = fingerprint(theirs.pk)
    cell = st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.sampled_from(
            [world.theirs.event.name, world.theirs.household.name, world.ours.event.name, "adult", "child", "a", "b"]
        ),
    )

    @EXAMPLES
    @given(
        header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=12),
        body=st.lists(st.lists(cell, max_size=12), max_size=8),
        raw=st.one_of(st.none(), st.binary(max_size=512)),
        name=st.sampled_from(["guests.csv", "guests.xlsx", "guests.txt", ""]),
    )
    def run(header, body, raw, name):
        content = raw if raw is not None else _csv([header, *body])
        ours_before = fingerprint(ours.pk)
        try:
            report = importing.guests_import(wedding=ours, content=content, filename=name)
        except importing.ImportFileError as refused:
            assert str(refused), "a refused file must say why"
            assert fingerprint(ours.pk) == ours_before
        else:
            if report.errors:
                assert not report.imported
                assert fingerprint(ours.pk) == ours_before, "rows were written although some were bad"
                assert all(row.message for row in report.errors)
        assert fingerprint(theirs.pk) == theirs_before

    run()
