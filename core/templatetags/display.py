from django import template

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
