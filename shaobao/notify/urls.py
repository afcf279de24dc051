from django.urls import path

from shaobao.notify import views

app_name = "notify"
urlpatterns = [
    path("dead/", views.dead_letters, name="dead"),
    path("dead/<int:delivery_id>/retry/", views.retry, name="retry"),
    path(
        "dead/notification/<int:notification_id>/retry/",
        views.retry_notification,
        name="retry_notification",
    ),
]
