"""A changelist that becomes one block per row on a phone (the
registrations of one event, read at the door): each cell carries its
column's name, which static/staff/admin.css shows before the value."""

from django import template
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

register = template.Library()


@register.filter
def labelled_cells(result, headers) -> list[SafeString]:
    """The row's cells, each with data-label="<its column's heading>".

    Django's admin renders each cell as a finished "<td ...>" or "<th ...>"
    string, so the attribute goes in after the tag name. The checkbox column
    has no heading in words (its header is the select-all box) and gets none.
    """
    cells = []
    for cell, header in zip(result, headers, strict=True):
        label = capfirst(strip_tags(str(header["text"])).strip())
        if not label or not cell.startswith(("<td", "<th")):
            cells.append(cell)
            continue
        tag, rest = mark_safe(cell[:3]), mark_safe(cell[3:])  # slices of safe HTML
        cells.append(format_html('{} data-label="{}"{}', tag, label, rest))
    return cells
