class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a strict CSP (all assets are served locally)."""

    CSP = (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(self)")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
