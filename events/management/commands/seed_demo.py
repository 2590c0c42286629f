"""Demo events from the force's own story. Safe to run again: events are
matched by slug and brought back to the demo state; registrations are kept."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from events import services
from events.models import Audience, EventFormat, EventStatus, Role

LONDON = ZoneInfo("Europe/London")
DEMO_STAFF_USERNAME = "staff@example.org"
DEMO_STAFF_PASSWORD = "insight-demo-2026"  # noqa: S105 - demo login for the embedded SQLite only

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
    "online_joining_details": (
        "Join on Microsoft Teams from your phone or computer. The link and a "
        "dial-in number are in your confirmation email. Cameras are optional."
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
            "roles": ["police-officer", "pcso", "special-constable"],
            **HQ,
        },
        {
            "slug": "insight-evening-headquarters-second-date",
            "title": "Insight evening at headquarters: second date",
            "summary": "A second evening, added because the first filled so quickly.",
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
            "roles": ["police-officer", "pcso", "special-constable"],
            **ONLINE,
        },
        {
            "slug": "becoming-a-pcso",
            "title": "Becoming a PCSO",
            "summary": "What police community support officers do, and how to apply.",
            "when": _on(tuesday + timedelta(days=36), time(18, 30), time(20)),
            "capacity": 40,
            "roles": ["pcso"],
            **HQ,
        },
        {
            "slug": "volunteering-as-a-special-constable",
            "title": "Volunteering as a special constable",
            "summary": "Police alongside your day job: meet specials and hear how the volunteering works.",
            "when": _on(tuesday + timedelta(days=35), *evening),
            "capacity": 40,
            "roles": ["special-constable"],
            **HQ,
        },
        {
            "slug": "insight-evening-autumn",
            "title": "Autumn insight evening",
            "summary": "Our autumn evening at headquarters.",
            "when": _on(_next_weekday(today - timedelta(days=60), 1), *evening),
            "capacity": 80,
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


class Command(BaseCommand):
    help = "Create or refresh the demo events (and, on SQLite only, a demo staff login)."

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.now().astimezone(LONDON).date()
        roles = {role.code: role for role in Role.objects.all()}
        for spec in demo_events(today):
            spec = dict(spec)
            starts_at, ends_at = spec.pop("when")
            role_codes = spec.pop("roles")
            spec.setdefault("status", EventStatus.PUBLISHED)
            spec.setdefault("description", DESCRIPTION)
            event = services.upsert_demo_event(
                slug=spec.pop("slug"),
                fields={**spec, "starts_at": starts_at, "ends_at": ends_at},
                roles=[roles[code] for code in role_codes],
            )
            self.stdout.write(f"Event: {event.title} ({event.starts_at:%Y-%m-%d})")
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            self._demo_staff()

    def _demo_staff(self):
        user, _ = get_user_model().objects.get_or_create(
            username=DEMO_STAFF_USERNAME,
            defaults={"email": DEMO_STAFF_USERNAME, "is_staff": True, "is_superuser": True},
        )
        user.set_password(DEMO_STAFF_PASSWORD)
        user.save()
        self.stdout.write(
            f"Demo staff login for /admin/: {DEMO_STAFF_USERNAME} / {DEMO_STAFF_PASSWORD}\n"
            "  Staff also need a second factor: at the first sign-in, after the password,\n"
            "  scan the QR code with an authenticator app (or type the key it shows), or set\n"
            "  up a passkey (at http://localhost:PORT, not 127.0.0.1), and keep the recovery\n"
            "  codes. Lost it? `python manage.py reset_second_factor staff@example.org`."
        )
