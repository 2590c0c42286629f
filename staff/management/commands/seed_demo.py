"""The demo as staff live it, from the force's own story: events with
people registered, a full evening with a waiting list, past evenings with
attendance, people waiting for alerts and requests for the Positive Action
team, and (on SQLite only) a login for each team. Safe to run again: events
are matched by slug and brought back to the demo state; people are added
only where there were none."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from alerts import services as alerts
from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT, ensure_staff_groups
from events import services
from events.models import Audience, Event, EventFormat, EventStatus, Role
from mentoring import services as mentoring
from mentoring.models import ContactMethod, JourneyStage, MentoringRequest, SupportKind

LONDON = ZoneInfo("Europe/London")
DEMO_PASSWORD = "insight-demo-2026"  # noqa: S105 - demo logins for the embedded SQLite only
DEMO_LOGINS = {
    "staff@example.org": WORKFORCE_DEVELOPMENT,
    "positive-action@example.org": POSITIVE_ACTION,
}

HQ = {
    "venue_name": "Police Headquarters",
    "address": "Stanborough Road\nWelwyn Garden City\nAL8 6XF",
    "travel_notes": (
        "Welwyn Garden City station is a 15-minute walk. Free parking on site: "
        "tell the officer at the barrier you are here for the insight event."
    ),
    "access_notes": (
        "Step-free entrance and lift to the conference room. Accessible toilets on "
        "every floor. A hearing loop is available: ask at reception."
    ),
}
ONLINE = {
    "format": EventFormat.ONLINE,
    "online_joining_url": "https://meet.example.org/insight-online-evening",
    "online_joining_details": (
        "Join from your phone or computer; no app to install. To listen by phone, "
        "dial 01632 960123 and enter meeting ID 482 1937 when asked. Cameras are optional."
    ),
    "description": (
        "Hear from serving officers, PCSOs and special constables about a normal "
        "shift, the training, pay and shift patterns, and how the application and "
        "assessment work.\n\n"
        "Ask your questions in the chat at any time, by name or anonymously. Your "
        "camera can stay off: there is nothing to prepare."
    ),
}
DESCRIPTION = (
    "Hear from serving officers, PCSOs and special constables about a normal "
    "shift, the training, pay and shift patterns, and how the application and "
    "assessment work.\n\n"
    "There is time for your questions, in the room or anonymously. Come as you "
    "are: there is no dress code and nothing to prepare."
)


def _on(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, start, tzinfo=LONDON),
        datetime.combine(day, end, tzinfo=LONDON),
    )


def _next_weekday(after: date, weekday: int) -> date:
    return after + timedelta(days=(weekday - after.weekday()) % 7 or 7)


def demo_events(today: date) -> list[dict]:
    tuesday = _next_weekday(today + timedelta(days=7), 1)
    evening = (time(19), time(21))
    return [
        {
            "slug": "insight-evening-headquarters",
            "title": "Insight evening at headquarters",
            "summary": "Find out what policing in Hertfordshire is really like, from the people who do it.",
            "when": _on(tuesday, *evening),
            "capacity": 80,
            "people": {"confirmed": 80, "waiting": 7},
            "roles": ["police-officer", "pcso", "special-constable"],
            **HQ,
        },
        {
            "slug": "insight-evening-headquarters-second-date",
            "title": "Insight evening at headquarters: second date",
            "summary": "A second evening, added because the first filled so quickly.",
            "people": {"confirmed": 23},
            "when": _on(tuesday + timedelta(days=28), *evening),
            "capacity": 80,
            "roles": ["police-officer", "pcso", "special-constable"],
            **HQ,
        },
        {
            "slug": "women-in-policing-insight-session",
            "title": "Women in policing insight session",
            "summary": "Officers talk about careers, family life and progression as a woman in the force.",
            "when": _on(tuesday + timedelta(days=9), *evening),
            "capacity": 80,
            "people": {"confirmed": 60},
            "audience": Audience.WOMEN,
            "roles": ["police-officer", "special-constable"],
            **HQ,
        },
        {
            "slug": "online-insight-evening",
            "title": "Online insight evening",
            "summary": "The same evening, from your sofa: join online and ask questions in the chat.",
            "when": _on(tuesday + timedelta(days=1), time(19, 30), time(20, 30)),
            "capacity": 300,
            "people": {"confirmed": 112},
            "roles": ["police-officer", "pcso", "special-constable"],
            **ONLINE,
        },
        {
            "slug": "becoming-a-pcso",
            "title": "Becoming a PCSO",
            "summary": "What police community support officers do, and how to apply.",
            "when": _on(tuesday + timedelta(days=36), time(18, 30), time(20)),
            "capacity": 40,
            "people": {"confirmed": 36},
            "roles": ["pcso"],
            **HQ,
        },
        {
            "slug": "volunteering-as-a-special-constable",
            "title": "Volunteering as a special constable",
            "summary": "Police alongside your day job: meet specials and hear how the volunteering works.",
            "when": _on(tuesday + timedelta(days=35), *evening),
            "capacity": 40,
            "people": {"confirmed": 14},
            "roles": ["special-constable"],
            **HQ,
        },
        {
            "slug": "insight-evening-autumn",
            "title": "Autumn insight evening",
            "summary": "Our autumn evening at headquarters.",
            "when": _on(_next_weekday(today - timedelta(days=60), 1), *evening),
            "capacity": 80,
            "people": {"confirmed": 74, "attended": 58, "walk_ins": 3},
            "roles": ["police-officer", "pcso", "special-constable"],
            **HQ,
        },
        {
            "slug": "insight-evening-summer",
            "title": "Summer insight evening",
            "summary": "Our summer evening at headquarters.",
            "when": _on(_next_weekday(today - timedelta(days=130), 1), *evening),
            "capacity": 80,
            "people": {"confirmed": 61, "attended": 49, "walk_ins": 2},
            "roles": ["police-officer", "pcso", "special-constable"],
            **HQ,
        },
        {
            "slug": "insight-evening-stevenage",
            "title": "Insight evening in Stevenage",
            "summary": "An evening in Stevenage, cancelled because the venue is not available.",
            "when": _on(tuesday + timedelta(days=2), *evening),
            "capacity": 50,
            "status": EventStatus.CANCELLED,
            "cancellation_message": "The venue is no longer available. Please choose another date.",
            "roles": ["police-officer"],
            "venue_name": "Stevenage Police Station",
            "address": "Lytton Way\nStevenage\nSG1 1HF",
        },
    ]


SUBSCRIBERS = {"police-officer": 34, "pcso": 12, "special-constable": 21}
MENTORING = [
    ("Amara Okoye", JourneyStage.THINKING, [SupportKind.FAMILIARISATION, SupportKind.MENTOR]),
    ("Bilal Rahman", JourneyStage.PREPARING, [SupportKind.APPLICATION]),
    ("Sam Kowalczyk", JourneyStage.ASSESSMENT, [SupportKind.FITNESS, SupportKind.ASSESSMENT]),
]


class Command(BaseCommand):
    help = (
        "Create or refresh the demo: events with people registered, alert subscribers, "
        "mentoring requests and, on SQLite only, a demo login for each team."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.now().astimezone(LONDON).date()
        roles = {role.code: role for role in Role.objects.all()}
        for spec in demo_events(today):
            event, people = self._event(dict(spec), roles)
            added = services.add_demo_registrations(event, **people) if people else 0
            self.stdout.write(
                f"Event: {event.title} ({event.starts_at:%Y-%m-%d})"
                + (f", {added} people added" if added else "")
            )
        alerts.add_demo_subscriptions(
            subscribers={roles[code]: count for code, count in SUBSCRIBERS.items()}
        )
        self._mentoring_requests(roles)
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            self._demo_logins()

    def _event(self, spec: dict, roles: dict[str, Role]) -> tuple[Event, dict]:
        starts_at, ends_at = spec.pop("when")
        role_codes = spec.pop("roles")
        people = spec.pop("people", None)
        spec.setdefault("status", EventStatus.PUBLISHED)
        spec.setdefault("description", DESCRIPTION)
        event = services.upsert_demo_event(
            slug=spec.pop("slug"),
            fields={**spec, "starts_at": starts_at, "ends_at": ends_at},
            roles=[roles[code] for code in role_codes],
        )
        return event, people

    def _mentoring_requests(self, roles: dict[str, Role]) -> None:
        for n, (name, stage, kinds) in enumerate(MENTORING):
            key = f"demo-mentoring-{n}"
            if MentoringRequest.objects.filter(submission_key=key).exists():
                continue
            mentoring.request_support(
                name=name,
                email=f"{name.split()[0].lower()}@example.org",
                contact_method=ContactMethod.EMAIL,
                journey_stage=stage,
                support_kinds=kinds,
                submission_key=key,
                role=roles["police-officer"],
                under_represented="I would be the first in my family to join the police.",
            )

    def _demo_logins(self) -> None:
        """A login for each team, with the team's permissions only (not a
        superuser): what a member of staff sees."""
        ensure_staff_groups()
        for username, group_name in DEMO_LOGINS.items():
            user = demo_login(username, group_name=group_name)
            self.stdout.write(
                f"Demo login for /admin/ ({group_name}): {user.username} / {DEMO_PASSWORD}"
            )
        self.stdout.write(
            "  Staff also need a second factor: at the first sign-in, after the password,\n"
            "  scan the QR code with an authenticator app (or type the key it shows), or set\n"
            "  up a passkey (at http://localhost:PORT, not 127.0.0.1), and keep the recovery\n"
            "  codes. Lost it? `python manage.py reset_second_factor staff@example.org`."
        )


def demo_login(username: str, *, group_name: str):
    user, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={"email": username, "is_staff": True, "is_superuser": False},
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.set([Group.objects.get(name=group_name)])
    return user
