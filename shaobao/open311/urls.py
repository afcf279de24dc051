"""Mounted at /open311/: GeoReport v2 under v2/, the key admin page under admin/."""

from django.urls import path, re_path

from shaobao.open311 import views

app_name = "open311"
F = r"\.(?P<fmt>xml|json)$"
urlpatterns = [
    path("v2/", views.not_found, name="root"),
    re_path(r"^v2/discovery" + F, views.discovery, name="discovery"),
    re_path(r"^v2/services" + F, views.services, name="services"),
    re_path(r"^v2/services/(?P<code>[^/]{1,100})" + F, views.service_definition, name="service"),
    re_path(r"^v2/requests" + F, views.requests, name="requests"),
    re_path(r"^v2/requests/(?P<number>[^/]{1,100})" + F, views.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]{1,100})" + F, views.token, name="token"),
    re_path(r"^v2/servicerequestupdates" + F, views.updates, name="updates"),
    re_path(r"^v2/(?P<rest>.*)$", views.not_found),
    path("admin/", views.admin_clients, name="admin"),
    path("admin/<int:client_id>/disable/", views.admin_disable, name="disable"),
]
