"""What the admin home shows staff: the events to come with their fill rate
and waiting lists, where demand outruns the places, and charts."""

from dataclasses import dataclass, field

from django.utils import timezone

from alerts.queries import confirmed_subscribers_by_role
from events import queries
from events.models import Event, Role

from . import charts

# A role with at least this many confirmed interest subscribers and no
# upcoming event is worth an evening.
SUBSCRIBERS_WORTH_AN_EVENT = 20


@dataclass
class RoleDemand:
    role: Role
    subscribers: int


@dataclass
class Dashboard:
    upcoming: list[Event]
    full: list[Event]
    role_demand: list[RoleDemand]
    registration_charts: list[dict] = field(default_factory=list)
    past: list[Event] = field(default_factory=list)
    attendance_chart: str = ""
    without_link: list[Event] = field(default_factory=list)


def build_dashboard(*, now=None) -> Dashboard:
    """A fixed number of queries, however many events."""
    now = now or timezone.now()
    upcoming = list(queries.upcoming_for_staff(now=now).prefetch_related("roles"))
    for event in upcoming:
        event.fill_percent = event.confirmed_count * 100 // event.capacity if event.capacity else 0
        event.fill_bar = min(event.fill_percent, 100)
    per_day = queries.registrations_per_day(upcoming)
    today = timezone.localtime(now).date()
    registration_charts = []
    for event in upcoming:
        points = charts.cumulative_days(per_day[event.pk], today=today)
        registration_charts.append(
            {
                "event": event,
                "points": points,
                "svg": charts.registrations_chart(event, points, chart_id=f"reg-{event.pk}"),
            }
        )
    past = queries.past_attendance(now=now)
    place_use = queries.release_and_no_show_rates(past, now=now)
    for event in past:
        event.no_show_count = max(event.confirmed_count - event.attended_count, 0)
        event.place_use = place_use[event.pk]
    return Dashboard(
        without_link=list(queries.online_events_without_link(now=now)),
        upcoming=upcoming,
        full=queries.full_with_waiting(upcoming),
        role_demand=role_demand(upcoming),
        registration_charts=registration_charts,
        past=past,
        attendance_chart=charts.attendance_chart(past, chart_id="attendance") if past else "",
    )


def role_demand(upcoming: list[Event]) -> list[RoleDemand]:
    """Roles many people want to hear about that no upcoming event is for."""
    covered = {role.code for event in upcoming for role in event.roles.all()}
    counts = confirmed_subscribers_by_role()
    roles = Role.objects.filter(code__in=counts).order_by("position", "name")
    return [
        RoleDemand(role=role, subscribers=counts[role.code])
        for role in roles
        if role.code not in covered and counts[role.code] >= SUBSCRIBERS_WORTH_AN_EVENT
    ]
