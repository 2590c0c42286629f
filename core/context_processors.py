from django.conf import settings


def site(request):
    return {
        "force_name": settings.FORCE_NAME,
        "service_name": "Recruitment insight events",
        "retention_months": settings.RETENTION_MONTHS,
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": settings.CONTACT_PHONE,
    }
