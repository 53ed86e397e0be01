from __future__ import annotations

import pytest

from guests import lookup


@pytest.mark.parametrize(
    "typed, stored",
    [("Bob", "Robert"), ("robert", "Bob"), ("LIZ", "Elizabeth"), ("Pepe", "José"), ("jose", "José"),
     ("Maria", "María José"), ("Kate", "Catherine"), ("  ana  ", "Ana")],
)
def test_first_names_that_match(typed, stored):
    assert lookup.first_names_match(typed, stored)


@pytest.mark.parametrize("typed, stored", [("Bob", "Elizabeth"), ("Ana", "Anabel"), ("", "Ana"), ("Jose", "Josefa")])
def test_first_names_that_do_not_match(typed, stored):
    assert not lookup.first_names_match(typed, stored)


@pytest.mark.parametrize(
    "typed, stored",
    [("garcia", "García"), ("García", "García López"), ("lopez", "García López"), ("Mueller", "Müller"),
     ("muller", "Müller"), ("obrien", "O'Brien"), ("O'Brien", "OBrien"), ("de la cruz", "De la Cruz")],
)
def test_last_names_that_match(typed, stored):
    assert lookup.last_names_match(typed, stored)


@pytest.mark.parametrize("typed, stored", [("garc", "García"), ("", "Ruiz"), ("Lopez", "Lopezosa"), ("cruz de", "De la Cruz")])
def test_last_names_that_do_not_match(typed, stored):
    assert not lookup.last_names_match(typed, stored)
