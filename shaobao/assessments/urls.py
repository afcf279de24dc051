from django.urls import path

from shaobao.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/new", views.run_new, name="run_new"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/units/<int:unit>/", views.run_unit, name="unit"),
    path("runs/<int:pk>/results.xlsx", views.run_export, name="export"),
    path("runs/<int:pk>/report.pdf", views.run_pdf, name="pdf"),
    path("runs/<int:pk>/<slug:action>", views.run_action, name="action"),
    path("schemes/", views.schemes, name="schemes"),
    path("schemes/<slug:subject>/draft", views.scheme_save, name="scheme_save"),
    path("schemes/<int:pk>/publish", views.scheme_publish, name="scheme_publish"),
]
