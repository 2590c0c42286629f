"""The three public forms a stranger can send: where each lives, a valid
submission (with the honeypot and signed start time its page gives), where
it goes when sent, and the rows one submission writes."""

from dataclasses import dataclass

from alerts.models import FormatPreference
from mentoring.models import ContactMethod, JourneyStage, SupportKind
from tests.support.registration import form_data, register_url

from .support import human_check


@dataclass(frozen=True)
class PublicForm:
    path: str
    done: str
    fields: dict
    saves: dict[str, int]

    def valid(self, client) -> dict:
        return {**self.fields, **human_check(client, self.path)}


def registration(event) -> PublicForm:
    return PublicForm(
        path=register_url(event),
        done=f"/events/{event.slug}/register/done/",
        fields=form_data(),
        saves={"Registration": 1, "RegistrationLink": 1, "OutgoingEmail": 1},
    )


MENTORING = PublicForm(
    path="/positive-action/",
    done="/positive-action/sent/",
    fields={
        "name": "Aisling Ó Súilleabháin",
        "email": "aisling@example.com",
        "contact_method": ContactMethod.EMAIL,
        "phone": "",
        "role": "police-officer",
        "journey_stage": JourneyStage.PREPARING,
        "support_kinds": [SupportKind.APPLICATION, SupportKind.FITNESS],
        "under_represented": "",
        "anything_else": "",
        "consent": "on",
        "submission_key": "k" * 43,
    },
    saves={"MentoringRequest": 1, "OutgoingEmail": 1},
)

ALERTS = PublicForm(
    path="/alerts/",
    done="/alerts/check-your-email/",
    fields={
        "email": "new.subscriber@example.com",
        "roles": ["police-officer", "pcso"],
        "format": FormatPreference.BOTH,
        "consent": "on",
    },
    saves={"Subscription": 1, "SubscriptionRole": 2, "SubscriptionLink": 1, "OutgoingEmail": 1},
)


def as_pairs(fields: dict) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, values in fields.items()
        for value in (values if isinstance(values, list) else [values])
    ]
