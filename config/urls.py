from django.conf import settings
from django.urls import include, path
from django.views.static import serve

from config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("problems/", include("shaobao.problems.urls")),
    path("duties/", include("shaobao.duties.urls")),
    path("org/", include("shaobao.org.urls")),
    path("demands/", include("shaobao.demands.urls")),
    path("citizen/", include("shaobao.demands.citizen_urls")),
    path("open311/", include("shaobao.open311.urls")),
    path("map/", include("shaobao.places.urls")),
    path("notifications/", include("shaobao.notify.urls")),
    path("exports/", include("shaobao.exports.urls")),
    path("hotspots/", include("shaobao.hotspots.urls")),
    path("assessments/", include("shaobao.assessments.urls")),
    path("", include("shaobao.dashboards.urls")),
    path("", include("shaobao.whistles.urls")),
    path("", include("shaobao.ui.urls")),
]
if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))


def _not_found(request, exception=None):
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": "未找到", "fields": {}}, status=404)
    return page_not_found(request, exception)


handler404 = _not_found
