from django.urls import path

from shaobao.demands import views

app_name = "demands"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("intake/", views.intake, name="intake"),
    path("hints/", views.hints, name="hints"),
    path("rates/", views.rates, name="rates"),
    path("appeals/<int:appeal_id>/rule/", views.appeal_rule, name="appeal_rule"),
    path("<int:demand_id>/", views.demand_detail, name="detail"),
    path("objections/<int:objection_id>/rule/", views.objection_rule, name="rule"),
    path("<int:demand_id>/<slug:action>/", views.demand_action, name="action"),
]
