"""Charts for the staff dashboard, drawn on the server as SVG: no script, no
inline style (the CSP allows neither), so they work anywhere the admin does.

Each chart is an <svg role="img"> named by its <title> and <desc>, and the
dashboard puts a table with the same numbers beside it for anyone who cannot
see it. Colours come from classes in static/staff/admin.css; text uses
currentColor so it follows the admin's light or dark theme."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from events.models import Event


@dataclass(frozen=True)
class DayPoint:
    day: date
    made: int
    total: int


def cumulative_days(per_day: list[tuple[date, int]], *, today: date) -> list[DayPoint]:
    """Registrations made each day and the running total, every day from the
    first registration to today (days with none included)."""
    if not per_day:
        return []
    made = dict(per_day)
    points, total, day = [], 0, per_day[0][0]
    last = max(today, per_day[-1][0])
    while day <= last:
        total += made.get(day, 0)
        points.append(DayPoint(day=day, made=made.get(day, 0), total=total))
        day += timedelta(days=1)
    return points


def _scale(value: float, top: float, height: float) -> float:
    return round(height - (value / top) * height, 1) if top else height


def registrations_chart(event: Event, points: list[DayPoint], *, chart_id: str) -> SafeString:
    """The running total of registrations against the capacity line."""
    width, height, left, bottom, top_pad = 320, 150, 36, 22, 10
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    total = points[-1].total if points else 0
    top = max(event.capacity, total, 1) * 1.1
    step = plot_w / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return top_pad + _scale(value, top, plot_h)

    line = " ".join(f"{left + i * step:.1f},{y(p.total):.1f}" for i, p in enumerate(points))
    if len(points) == 1:
        line += f" {left + plot_w:.1f},{y(points[0].total):.1f}"
    capacity_y = y(event.capacity)
    first = points[0].day.strftime("%-d %b") if points else ""
    last = points[-1].day.strftime("%-d %b") if len(points) > 1 else ""
    description = f"{total} registered (confirmed and waiting) against {event.capacity} places" + (
        f", from {first} to {last}." if points else ": no registrations yet."
    )
    return format_html(
        '<svg class="app-chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        ' aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">Registrations for {title}</title>'
        '<desc id="{id}-desc">{desc}</desc>'
        '<line class="app-chart__axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}"/>'
        '<line class="app-chart__capacity" x1="{left}" y1="{cy}" x2="{right}" y2="{cy}"/>'
        '<text class="app-chart__label" x="{right}" y="{cy_label}" text-anchor="end"'
        ' fill="currentColor">{capacity} places</text>'
        "{polyline}"
        '<text class="app-chart__label" x="{left}" y="{ty}" fill="currentColor">{first}</text>'
        '<text class="app-chart__label" x="{right}" y="{ty}" text-anchor="end"'
        ' fill="currentColor">{last}</text>'
        '<text class="app-chart__label" x="{yx}" y="{top_y}" text-anchor="end"'
        ' fill="currentColor">{top_label}</text>'
        '<text class="app-chart__label" x="{yx}" y="{base}" text-anchor="end"'
        ' fill="currentColor">0</text>'
        "</svg>",
        w=width,
        h=height,
        id=chart_id,
        title=event.title,
        desc=description,
        left=left,
        right=left + plot_w,
        base=top_pad + plot_h,
        cy=capacity_y,
        cy_label=capacity_y - 3,
        capacity=event.capacity,
        polyline=format_html('<polyline class="app-chart__line" points="{}"/>', line)
        if points
        else "",
        ty=height - 6,
        first=first,
        last=last,
        yx=left - 4,
        top_y=top_pad + 8,
        top_label=max(event.capacity, total),
    )


def attendance_chart(events: list[Event], *, chart_id: str) -> SafeString:
    """A bar per past event: who came (walk-ins included) and who did not."""
    row, label_w, bar_w, pad = 26, 230, 300, 6
    height = pad * 2 + row * max(len(events), 1)
    width = label_w + bar_w + 150
    top = max([max(e.confirmed_count, 1) for e in events] or [1])
    came = sum(e.attended_count for e in events)
    booked = sum(e.confirmed_count for e in events)
    description = (
        f"{len(events)} past events: {came} of {booked} people with a place came "
        f"({came * 100 // booked if booked else 0}%)."
    )
    bars = format_html_join(
        "",
        '<text class="app-chart__label" x="{}" y="{}" text-anchor="end"'
        ' fill="currentColor">{}</text>'
        '<rect class="app-chart__attended" x="{}" y="{}" width="{}" height="16"/>'
        '<rect class="app-chart__no-show" x="{}" y="{}" width="{}" height="16"/>'
        '<text class="app-chart__label" x="{}" y="{}" fill="currentColor">{}</text>',
        (
            _attendance_bar(event, index, top=top, row=row, pad=pad, label_w=label_w, bar_w=bar_w)
            for index, event in enumerate(events)
        ),
    )
    return format_html(
        '<svg class="app-chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        ' aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">Attendance at past events</title>'
        '<desc id="{id}-desc">{desc}</desc>{bars}</svg>',
        w=width,
        h=height,
        id=chart_id,
        desc=description,
        bars=bars,
    )


def _attendance_bar(event, index, *, top, row, pad, label_w, bar_w):
    y = pad + index * row
    came = event.attended_count
    no_show = max(event.confirmed_count - came, 0)
    came_w = round(bar_w * came / top, 1)
    no_show_w = round(bar_w * no_show / top, 1)
    label = f"{timezone.localtime(event.starts_at):%-d %b %Y} {event.title}"
    if len(label) > 38:
        label = label[:37] + "…"
    x = label_w + 6
    return (
        label_w,
        y + 13,
        label,
        x,
        y,
        came_w,
        x + came_w,
        y,
        no_show_w,
        x + came_w + no_show_w + 4,
        y + 13,
        f"{came} came, {no_show} did not",
    )
