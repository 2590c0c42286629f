"""Looking for any trace of a person, everywhere the database holds text."""

import json

from django.apps import apps
from django.contrib.sessions.models import Session


def traces_of(needle: str) -> list[str]:
    """Every row of every model, and every decoded session, whose text holds
    `needle` in any case: "<model>: <row>" for each."""
    wanted = needle.casefold()
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for row in model._default_manager.values():
            text = json.dumps(row, ensure_ascii=False, default=str)
            if wanted in text.casefold():
                found.append(f"{model._meta.label}: {text}")
    for session in Session.objects.all():
        text = json.dumps(session.get_decoded(), ensure_ascii=False, default=str)
        if wanted in text.casefold():
            found.append(f"session {session.session_key}: {text}")
    return found
