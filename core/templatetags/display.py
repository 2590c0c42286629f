import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import names

register = template.Library()


@register.filter
def join_lines(value: str, separator: str = ", ") -> str:
    """A multi-line address on one line: "Stanborough Road, Welwyn Garden City"."""
    return separator.join(line.strip() for line in str(value).splitlines() if line.strip())


@register.filter
def startswith(value: str, prefix: str) -> bool:
    return str(value).startswith(prefix)


@register.filter
def greeting(name: str) -> str:
    """ "Dear Jo," from a name that is one; "Hello," otherwise (core.names).
    Not marked safe: the HTML emails escape it."""
    return names.greeting(name)


# In a <script> element "</script>" or "<!--" would end or bend it: these
# characters are written as JSON escapes instead, as Django's json_script does.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(value: dict) -> str:
    """Structured data for search engines and link previews. A data block
    (type application/ld+json) is never run, so the CSP's script-src does
    not apply to it."""
    data = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(data))


@register.filter(is_safe=True)
def squash(value: str) -> str:
    """Runs of whitespace as one space: a block's text as an attribute value."""
    return " ".join(str(value).split())
