"""Roles (glossary.md). A membership gives a user one role over one scope."""

from django.utils.translation import gettext_lazy as _

CITIZEN = "citizen"
OPERATOR = "operator"
GRID_WORKER = "grid_worker"
VILLAGE_CADRE = "village_cadre"
AUXILIARY = "auxiliary"
TOWNSHIP_COMMANDER = "township_commander"
TOWNSHIP_STAFF = "township_staff"
DEPARTMENT_DISPATCHER = "department_dispatcher"
DEPARTMENT_OFFICER = "department_officer"
DISTRICT_SUPERVISOR = "district_supervisor"
LEGAL_OFFICER = "legal_officer"
ASSESSOR = "assessor"
INSPECTOR = "inspector"
ADMIN = "admin"

CHOICES = [
    (CITIZEN, _("市民")),
    (OPERATOR, _("话务员")),
    (GRID_WORKER, _("网格员")),
    (VILLAGE_CADRE, _("村干部")),
    (AUXILIARY, _("协管员")),
    (TOWNSHIP_COMMANDER, _("街乡指挥")),
    (TOWNSHIP_STAFF, _("街乡指挥中心工作人员")),
    (DEPARTMENT_DISPATCHER, _("部门调度（负责人）")),
    (DEPARTMENT_OFFICER, _("执法人员")),
    (DISTRICT_SUPERVISOR, _("区级督办")),
    (LEGAL_OFFICER, _("法制办")),
    (ASSESSOR, _("考核办")),
    (INSPECTOR, _("纪检监察")),
    (ADMIN, _("管理员")),
]
ALL = [code for code, _label in CHOICES]

# Which kind of scope each role takes: a place in the jurisdiction tree or a department.
DEPARTMENT_ROLES = {DEPARTMENT_DISPATCHER, DEPARTMENT_OFFICER}
GRID_ROLES = {GRID_WORKER, VILLAGE_CADRE, AUXILIARY}
TOWNSHIP_ROLES = {TOWNSHIP_COMMANDER, TOWNSHIP_STAFF}
DISTRICT_ROLES = {DISTRICT_SUPERVISOR, LEGAL_OFFICER, ASSESSOR, INSPECTOR, ADMIN, OPERATOR}
# Roles that read the whole of their district but change nothing of the whistle loop.
READ_ALL_ROLES = {DISTRICT_SUPERVISOR, LEGAL_OFFICER, ASSESSOR, INSPECTOR, ADMIN}


def label(code: str) -> str:
    return str(dict(CHOICES).get(code, code))
