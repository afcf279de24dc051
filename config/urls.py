from django.conf import settings
from django.urls import include, path
from django.views.static import serve

from config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("problems/", include("shaobao.problems.urls")),
    path("", include("shaobao.whistles.urls")),
    path("", include("shaobao.ui.urls")),
]
if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
