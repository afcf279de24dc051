from django.shortcuts import render

from shaobao.core.errors import DomainError


class DomainErrorPageMiddleware:
    """A domain error that escapes a page view becomes an error page with its status; API
    errors are rendered by the API itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(
                request,
                "ui/error.html",
                {"message": exception.message, "status": exception.status},
                status=exception.status,
            )
        return None
