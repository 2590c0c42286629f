"""Who runs a privacy command, for its audit entry."""

import getpass


def add_by_argument(parser) -> None:
    parser.add_argument(
        "--by",
        default=None,
        help="Who is running this, for the audit entry (default: your login on this server). "
        "Never the person's address.",
    )


def operator_name(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        return "unknown"
