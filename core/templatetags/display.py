from django import template

register = template.Library()


@register.filter
def join_lines(value: str, separator: str = ", ") -> str:
    """A multi-line address on one line: "Stanborough Road, Welwyn Garden City"."""
    return separator.join(line.strip() for line in str(value).splitlines() if line.strip())


@register.filter
def startswith(value: str, prefix: str) -> bool:
    return str(value).startswith(prefix)
