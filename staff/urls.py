"""django-otp-webauthn's endpoints for passkeys, under /admin/passkeys/
(included before the admin site, whose last pattern catches every path).
The namespace is the package's own: its script configuration reverses it."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as passkeys

from .two_factor import PasskeyVerifiedView

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "passkeys/registration/begin/",
        passkeys.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "passkeys/registration/complete/",
        passkeys.CompleteCredentialRegistrationView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "passkeys/authentication/begin/",
        passkeys.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "passkeys/authentication/complete/",
        PasskeyVerifiedView.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "passkeys/jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
