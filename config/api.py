"""The REST API (/api/v1/): token auth for machine clients, session auth (with CSRF) for pages.
Errors are `{"code", "message", "fields"}` with stable codes."""

import logging

from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from shaobao.core.errors import DomainError
from shaobao.org.models import ApiToken
from shaobao.org.services import hash_token

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Shaobao API",
    version="1",
    description="哨报: whistles, summonses, problems, evaluations. Errors: {code, message, fields}.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def _error(request, status, code, message, fields=None):
    return api.create_response(
        request, {"code": code, "message": str(message), "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    fields = {}
    for e in exc.errors:
        loc = ".".join(str(x) for x in e.get("loc", [])[1:]) or "body"
        fields[loc] = e.get("msg", "invalid")
    return _error(request, 422, "invalid_input", "请求参数无效", fields)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return _error(request, 401, "unauthenticated", "需要登录或有效的令牌")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", "未找到，或您无权查看")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code = {403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return _error(request, exc.status_code, code, str(exc))


def now():
    return timezone.now()


from shaobao.assessments.api import router as assessments_router  # noqa: E402
from shaobao.duties.api import router as duties_router  # noqa: E402
from shaobao.org.api import router as org_router  # noqa: E402
from shaobao.problems.api import router as problems_router  # noqa: E402
from shaobao.whistles.api import router as whistles_router  # noqa: E402

api.add_router("/", org_router)
api.add_router("/problems", problems_router)
api.add_router("/", whistles_router)
api.add_router("/", duties_router)
api.add_router("/", assessments_router)
