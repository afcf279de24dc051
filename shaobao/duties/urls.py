from django.urls import path

from shaobao.duties import views

app_name = "duties"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.draft_new, name="new"),
    path("import/", views.import_view, name="import"),
    path("diff/", views.diff_view, name="diff"),
    path("<int:duty_list_id>/", views.detail, name="detail"),
    path("<int:duty_list_id>/duties/", views.duty_add, name="duty_add"),
    path("<int:duty_list_id>/duties/<int:duty_id>/remove/", views.duty_remove, name="duty_remove"),
    path("<int:duty_list_id>/publish/", views.publish, name="publish"),
]
