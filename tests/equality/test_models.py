"""The answers are stored apart from identity: inspect the models' fields
rather than trust a docstring."""

import uuid

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models

from equality.models import (
    AnsweredMark,
    ClosedEvent,
    EqualityResponse,
    PendingResponse,
    ReachReport,
    answered_fingerprints,
)
from equality.services import ANSWER_FIELDS
from events.models import Event, Registration

pytestmark = pytest.mark.django_db


def concrete_fields(model) -> dict[str, models.Field]:
    return {field.name: field for field in model._meta.get_fields()}


TIMES = models.DateField | models.DateTimeField | models.TimeField | models.DurationField


@pytest.mark.parametrize("model", [EqualityResponse, PendingResponse])
def test_answers_hold_the_event_and_the_answers_and_nothing_else(model):
    fields = concrete_fields(model)

    assert set(fields) == {"id", "event", *ANSWER_FIELDS}
    assert all(isinstance(fields[name], models.CharField) for name in ANSWER_FIELDS)


@pytest.mark.parametrize("model", [EqualityResponse, PendingResponse])
def test_answers_have_no_field_that_identifies_or_links_to_a_person(model):
    fields = model._meta.get_fields()

    related = {field.name: field.related_model for field in fields if field.is_relation}
    assert related == {"event": Event}
    assert not [
        field
        for field in fields
        if isinstance(
            field,
            TIMES
            | models.EmailField
            | models.GenericIPAddressField
            | models.AutoField
            | models.BigAutoField,
        )
    ]
    assert not [
        name
        for name in ("name", "email", "phone", "ip", "registration", "created", "reference")
        for field in fields
        if name in field.name
    ]
    # The order of the keys says nothing about the order of the answers.
    key = model._meta.pk
    assert isinstance(key, models.UUIDField)
    assert key.default is uuid.uuid4


def test_the_mark_that_a_registration_answered_is_a_keyed_hash_and_nothing_else():
    assert set(concrete_fields(AnsweredMark)) == {"fingerprint"}
    assert AnsweredMark._meta.pk.name == "fingerprint"
    assert len(answered_fingerprints(12)[0]) == 64
    assert answered_fingerprints(12)[0] != answered_fingerprints(13)[0]


def test_a_closed_event_holds_the_event_and_nothing_else():
    assert set(concrete_fields(ClosedEvent)) == {"event"}


def test_neither_side_points_at_the_other():
    assert not [
        field
        for model in (Registration, Event, AnsweredMark)
        for field in model._meta.get_fields()
        if field.related_model in (EqualityResponse, PendingResponse, ReachReport)
    ]


def test_no_one_can_be_given_permission_to_see_or_change_answers():
    codenames = set(
        Permission.objects.filter(content_type__app_label="equality").values_list(
            "codename", flat=True
        )
    )

    assert codenames == {"view_report"}


def test_the_admin_has_the_report_and_none_of_the_rows_behind_it():
    assert ReachReport in admin.site._registry
    for model in (EqualityResponse, PendingResponse, AnsweredMark, ClosedEvent):
        assert model not in admin.site._registry
