from django.urls import path

from shaobao.whistles import views

app_name = "whistles"
urlpatterns = [
    path("whistles/", views.board, name="board"),
    path("whistles/new/", views.whistle_new, name="new"),
    path("whistles/suggest/", views.suggest, name="suggest"),
    path("whistles/export/<slug:what>.xlsx", views.export, name="export"),
    path("whistles/<int:whistle_id>/", views.whistle_detail, name="detail"),
    path("whistles/<int:whistle_id>/<slug:action>/", views.whistle_action, name="action"),
    path("inbox/", views.inbox, name="inbox"),
    path("summonses/<int:summons_id>/", views.summons_detail, name="summons"),
    path("summonses/<int:summons_id>/<slug:action>/", views.summons_action, name="summons_action"),
    path("ledger-items/<int:item_id>/clear/", views.ledger_clear, name="ledger_clear"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("escalated/", views.escalated, name="escalated"),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:objection_id>/rule/", views.objection_rule, name="rule"),
    path("audit/", views.audit, name="audit"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/end/", views.campaign_end, name="campaign_end"),
    path("routines/", views.routines, name="routines"),
]
