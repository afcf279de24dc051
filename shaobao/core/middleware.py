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


class RejectNulMiddleware:
    """PostgreSQL cannot store a NUL character in text; a request carrying one is refused at the
    edge (400) instead of failing deep inside a transaction."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            from django.http import HttpResponseBadRequest, JsonResponse

            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "invalid_input", "message": "请求含有无效字符 (NUL)", "fields": {}},
                    status=400,
                )
            if request.path.startswith("/open311/"):
                from django.http import HttpResponse

                if request.path.endswith(".json"):
                    return JsonResponse(
                        [{"code": "400", "description": "invalid character (NUL) in request"}],
                        status=400,
                        safe=False,
                    )
                return HttpResponse(
                    '<?xml version="1.0" encoding="utf-8"?><errors><error><code>400</code>'
                    "<description>invalid character (NUL) in request</description></error></errors>",
                    status=400,
                    content_type="text/xml; charset=utf-8",
                )
            return HttpResponseBadRequest("请求含有无效字符 / invalid character in request")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or any(
            "\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()
        ):
            return True
        ctype = request.META.get("CONTENT_TYPE", "")
        if ctype.startswith(("application/json", "application/x-www-form-urlencoded")):
            body = request.body
            return b"\\u0000" in body or b"%00" in body or b"\x00" in body
        if ctype.startswith("multipart/form-data"):
            return any("\x00" in v for vs in request.POST.lists() for v in vs[1])
        return False


class LanguageMiddleware:
    """Chinese unless the user chose otherwise (the language cookie set by the switch in the
    header). The browser's Accept-Language is deliberately ignored: officers' phones are often
    set to English, and the system's working language is Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        response.headers.setdefault("Vary", "Cookie")
        return response
