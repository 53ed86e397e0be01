"""A deleted photo's image and thumbnail leave storage — after the delete commits, never on rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction

from tests import factories
from tests.wedding.content_helpers import image_bytes, processed, upload
from wedding.photos import services
from wedding.photos.models import Photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_is_temporary(settings, tmp_path):
    # tests/conftest.py points MEDIA_ROOT into tmp_path; these tests delete files, so make sure.
    assert Path(settings.MEDIA_ROOT).is_relative_to(tmp_path)


def uploaded(wedding, household, count: int = 1) -> list[Photo]:
    files = [upload(f"p{i}.jpg", image_bytes()) for i in range(count)]
    return processed(*services.photo_upload(wedding=wedding, household=household, files=files).saved)


def files_of(*photos: Photo) -> list[Path]:
    paths = [Path(p.image.path) for p in photos] + [Path(p.thumbnail.path) for p in photos]
    assert all(path.is_file() for path in paths), "the photo's files should be on disk to begin with"
    return paths


def test_deleted_photo_files_are_removed_once_the_delete_commits(wedding, household, django_capture_on_commit_callbacks):
    [photo] = uploaded(wedding, household)
    paths = files_of(photo)
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
        assert all(path.is_file() for path in paths), "deleted before the transaction committed"
    assert not any(path.exists() for path in paths)


def test_rolled_back_delete_keeps_the_files(wedding, household, django_capture_on_commit_callbacks):
    [photo] = uploaded(wedding, household)
    paths = files_of(photo)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            photo.delete()
            raise RuntimeError("the write fails after the delete")
    assert Photo.objects.filter(image=photo.image.name).exists()
    assert all(path.is_file() for path in paths)


def test_queryset_delete_removes_every_photos_files(wedding, household, django_capture_on_commit_callbacks):
    photos = uploaded(wedding, household, count=3)
    paths = files_of(*photos)
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.filter(pk__in=[p.pk for p in photos]).delete()
    assert not any(path.exists() for path in paths)


def test_deleting_the_wedding_removes_its_photos_files(wedding, household, django_capture_on_commit_callbacks):
    photos = uploaded(wedding, household, count=2)
    paths = files_of(*photos)
    with django_capture_on_commit_callbacks(execute=True):
        wedding.delete()
    assert not Photo.objects.exists()
    assert not any(path.exists() for path in paths)


def test_deleting_the_uploading_household_keeps_the_photo_and_its_files(
    wedding, household, django_capture_on_commit_callbacks
):
    [photo] = uploaded(wedding, household)
    paths = files_of(photo)
    with django_capture_on_commit_callbacks(execute=True):
        household.delete()
    photo.refresh_from_db()
    assert photo.uploaded_by_household is None  # the photo stays in the wedding's gallery
    assert all(path.is_file() for path in paths)


def test_a_file_already_missing_does_not_stop_the_other(wedding, household, django_capture_on_commit_callbacks):
    [photo] = uploaded(wedding, household)
    image, thumbnail = files_of(photo)
    image.unlink()
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert not thumbnail.exists()


def test_a_photo_without_thumbnail_deletes_its_image(wedding, django_capture_on_commit_callbacks):
    photo = factories.PhotoFactory(wedding=wedding)
    assert not photo.thumbnail
    image = Path(photo.image.path)
    assert image.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert not image.exists()


def test_admin_delete_and_bulk_delete_remove_the_files(
    planner_client, wedding, household, django_capture_on_commit_callbacks
):
    one, two, three = uploaded(wedding, household, count=3)
    one_paths, rest_paths = files_of(one), files_of(two, three)
    with django_capture_on_commit_callbacks(execute=True):
        response = planner_client.post(f"/admin/photos/photo/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not any(path.exists() for path in one_paths)
    assert all(path.is_file() for path in rest_paths)
    with django_capture_on_commit_callbacks(execute=True):
        response = planner_client.post(
            "/admin/photos/photo/",
            {"action": "delete_selected", ACTION_CHECKBOX_NAME: [two.pk, three.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert not any(path.exists() for path in rest_paths)


@pytest.mark.django_db(transaction=True)
def test_real_commit_and_real_rollback(wedding, household):
    """The same, with real transactions rather than captured callbacks."""
    kept, gone = uploaded(wedding, household, count=2)
    kept_paths, gone_paths = files_of(kept), files_of(gone)
    with pytest.raises(RuntimeError), transaction.atomic():
        Photo.objects.filter(pk=kept.pk).delete()
        raise RuntimeError("rolled back")
    gone.delete()
    assert all(path.is_file() for path in kept_paths)
    assert not any(path.exists() for path in gone_paths)


@pytest.mark.parametrize("model", ["Tribute", "WeddingPartyMember"])
def test_a_deleted_tribute_or_party_members_photo_leaves_storage(wedding, model, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from wedding.core.models import WeddingPartyMember
    from wedding.tributes.models import Tribute

    fields = {"name": "Abuela Rosa"} if model == "Tribute" else {"name": "Sam", "role": "Best man"}
    row = {"Tribute": Tribute, "WeddingPartyMember": WeddingPartyMember}[model].objects.create(wedding=wedding, **fields)
    row.photo.save("portrait.jpg", ContentFile(image_bytes()), save=True)
    path = Path(row.photo.path)
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        row.delete()
        assert path.is_file(), "deleted before the transaction committed"
    assert not path.exists()
