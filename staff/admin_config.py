from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """django.contrib.admin with our site as `admin.site`, so every
    @admin.register and every /admin/ URL goes through the second factor.
    (Its own module: staff/apps.py may hold only the staff app's config.)"""

    default_site = "staff.sites.StaffAdminSite"

    def ready(self):
        super().ready()  # autodiscover: every app's admin.py registers
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

        # The packages' own admins show an app's secret (and its QR code) and
        # the recovery codes: with them anyone could copy a colleague's second
        # factor. `manage.py reset_second_factor` does what staff need.
        for model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
