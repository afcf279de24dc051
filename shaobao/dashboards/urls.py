from django.urls import path

from shaobao.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("command/", views.command, name="command"),
    path("command/data.json", views.command_data, name="command_data"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
