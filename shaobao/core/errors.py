"""Errors a user can cause. Each has a stable code (API) and a message (UI, translated)."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or _("请求无效")
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class NotFound(DomainError):
    """Missing and out-of-scope look the same, so nobody learns what exists elsewhere."""

    status = 404
    code = "not_found"

    def __init__(self, message=None, **kw):
        super().__init__(message or _("未找到，或您无权查看"), **kw)


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"

    def __init__(self, message=None, **kw):
        super().__init__(message or _("您的角色无权执行此操作"), **kw)


class Conflict(DomainError):
    """The action does not fit the object's current state (or an idempotency key was reused)."""

    status = 409
    code = "conflict"
