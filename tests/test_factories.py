"""Every concrete model of the project's own apps has a factory in
tests/factories.py that makes a valid saved row: a new model without one
fails here, so tests never grow hand-written copies of the same setup."""

from pathlib import Path

import factory
import pytest
from django.apps import apps
from django.conf import settings

from tests import factories

# Models that tests must never make directly, each with the reason. None
# yet: every model can be made as a row on its own.
EXEMPT: dict[str, str] = {}

# The apps that the brief of tests/factories.py names; more are found below.
EXPECTED_APPS = {"core", "events", "staff", "mentoring", "emails", "alerts", "equality", "privacy"}


def project_apps():
    """The installed apps whose code is in this repository (not Django's,
    not a package's), found from the app registry."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and not {".venv", "site-packages"} & set(path.parts):
            found.append(config)
    return found


def concrete_models():
    """Each project model with a table of its own: not abstract, not a proxy
    (a proxy's rows are its concrete model's), and managed by Django."""
    return sorted(
        (
            model
            for config in project_apps()
            for model in config.get_models()
            if not model._meta.proxy and model._meta.managed
        ),
        key=lambda model: model._meta.label,
    )


def factories_by_model():
    found = {}
    for value in vars(factories).values():
        if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
            model = value._meta.model
            if model is not None:
                assert model not in found, f"two factories for {model._meta.label}"
                found[model] = value
    return found


def test_the_project_apps_are_found_from_the_registry():
    assert {config.label for config in project_apps()} >= EXPECTED_APPS
    assert len(concrete_models()) >= 15


def test_every_exemption_names_a_model_that_exists():
    labels = {model._meta.label for model in concrete_models()}
    assert set(EXEMPT) <= labels


@pytest.mark.parametrize(
    "model",
    [model for model in concrete_models() if model._meta.label not in EXEMPT],
    ids=lambda model: model._meta.label,
)
@pytest.mark.django_db
def test_each_model_has_a_factory_that_makes_a_valid_saved_row(model):
    made_by = factories_by_model().get(model)
    assert made_by is not None, (
        f"{model._meta.label} has no factory in tests/factories.py: add one (or, if tests "
        "must never make it directly, add it to EXEMPT in tests/test_factories.py, saying why)"
    )

    first, second = made_by(), made_by()

    for row in (first, second):
        row.refresh_from_db()  # saved: read back from the database
        row.full_clean()
    if made_by._meta.django_get_or_create:
        assert first.pk == second.pk  # found by its natural key, not made twice
    else:
        assert first.pk != second.pk  # unique fields differ from row to row
