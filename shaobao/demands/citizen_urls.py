from django.urls import path

from shaobao.demands import views

app_name = "citizen"
urlpatterns = [
    path("", views.citizen_new, name="new"),
    path("track/", views.citizen_track, name="track"),
    path("appeal/", views.citizen_appeal, name="appeal"),
]
