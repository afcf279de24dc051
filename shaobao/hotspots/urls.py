from django.urls import path

from shaobao.hotspots import views

app_name = "hotspots"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:hotspot_id>/<slug:action>/", views.action, name="action"),
]
