from django.urls import path

from shaobao.notify import views

app_name = "notify"
urlpatterns = [
    path("channels/", views.channels, name="channels"),
    path(
        "channels/endpoints/<int:endpoint_id>/active/",
        views.endpoint_active,
        name="endpoint_active",
    ),
    path(
        "subscriptions/<int:subscription_id>/off/", views.subscription_off, name="subscription_off"
    ),
    path("mine/", views.mine, name="mine"),
    path("dead/", views.dead_letters, name="dead"),
    path("dead/<int:delivery_id>/retry/", views.retry, name="retry"),
    path(
        "dead/notification/<int:notification_id>/retry/",
        views.retry_notification,
        name="retry_notification",
    ),
]
