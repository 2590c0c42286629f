from .models import OutgoingEmail


def email_queued(dedupe_key: str) -> bool:
    """Whether an email for this reason exists already, whatever its status."""
    return OutgoingEmail.objects.filter(dedupe_key=dedupe_key).exists()
