from django.urls import include, path

from config.urls import urlpatterns as base

urlpatterns = [path("notifications/", include("shaobao.notify.urls")), *base]
