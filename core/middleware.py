"""Responses no cache may keep.

Nearly every page can show something personal: the registration form with
its errors (name, phone, access needs), the pages behind secret links, the
"check your email" pages (the address), the equality questions, a flash
message, the admin. So every response Django makes is sent with
`Cache-Control: no-store, private` unless its view said otherwise (set
Cache-Control itself, as never_cache does): a browser on a shared computer,
or a proxy on the way, keeps no copy. Static files are served by WhiteNoise
before this runs and keep their long caching."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
