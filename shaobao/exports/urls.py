from django.urls import path

from shaobao.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_detail, name="job"),
    path("<int:job_id>/download/", views.job_download, name="download"),
]
