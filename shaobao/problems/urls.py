from django.urls import path

from shaobao.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list_view, name="list"),
    path("new/", views.problem_new, name="new"),
    path("<int:problem_id>/", views.problem_detail, name="detail"),
    path("<int:problem_id>/triage/", views.problem_triage, name="triage"),
    path("<int:problem_id>/edit/", views.problem_edit, name="edit"),
    path("<int:problem_id>/close/", views.problem_close, name="close"),
    path("<int:problem_id>/photos/<int:photo_id>/", views.problem_photo, name="photo"),
]
