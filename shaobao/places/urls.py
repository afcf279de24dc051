from django.urls import path

from shaobao.places import views

app_name = "places"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("boundaries.json", views.boundaries_json, name="boundaries"),
    path("markers.json", views.markers_json, name="markers"),
]
