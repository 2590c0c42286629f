// The set-up page: once a passkey is registered (django-otp-webauthn's
// script says so with this event), go on to make the recovery codes.
document.addEventListener("otp_webauthn.register_complete", () => {
  document.getElementById("passkey-registered")?.submit();
});
