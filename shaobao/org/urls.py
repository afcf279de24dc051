from django.urls import path

from shaobao.org import views

app_name = "org"
urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/", views.user_detail, name="user"),
    path("users/<int:user_id>/active/", views.user_active, name="user_active"),
    path(
        "users/<int:user_id>/memberships/<int:membership_id>/revoke/",
        views.membership_revoke,
        name="revoke",
    ),
    path("departments/", views.departments, name="departments"),
    path(
        "departments/<int:department_id>/active/", views.department_active, name="department_active"
    ),
    path("places/", views.places, name="places"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:override_id>/remove/", views.calendar_remove, name="calendar_remove"),
]
