"""A sample Pinggu District with a year of whistle-and-report history, for `make demo`.

Everything is written through the real services with `now=` set to simulated time, so the audit
chain, notifications and every derived number look as they would after a year of real use. The
simulation is a single time-ordered event queue: each action is an event that re-reads the state
it acts on, so only valid actions are taken and the audit log stays chronological. A scripted
"showcase" near `now` guarantees that every page and every named cast user has open work,
whatever the scale.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings

from shaobao.assessments.models import Evaluation
from shaobao.assessments.services import evaluation_submit
from shaobao.audit.models import AuditEntry
from shaobao.core.timeutil import work_calendar
from shaobao.core.workdays import LOCAL_TZ
from shaobao.duties.models import Duty, Matter
from shaobao.notify.models import Notification
from shaobao.org import cast
from shaobao.org import roles as R
from shaobao.org import services as O
from shaobao.org.models import Department, Jurisdiction, User
from shaobao.org.scoping import SYSTEM, actor_for
from shaobao.problems import services as PS
from shaobao.problems.models import Problem
from shaobao.whistles import services as WS
from shaobao.whistles import workflow as W
from shaobao.whistles.models import Campaign, LedgerItem, Objection, Summons, Whistle

MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------

# code, name, kind, lat, lng, weight (share of problems), communities. 110117104 and 110117001
# come from the cast (build_world); listed here for their extra communities and weight.
# fmt: off
TOWNSHIPS = [
    ("110117001", "兴谷街道", "STREET", 40.150, 117.110, 2.0, ["兴谷家园社区", "建设街社区", "林荫北街社区"]),
    ("110117002", "滨河街道", "STREET", 40.132, 117.125, 1.5, ["承平园社区", "金谷园社区", "滨河北区社区"]),
    ("110117100", "平谷镇", "TOWN", 40.158, 117.086, 1.5, ["岳各庄村", "西寺渠村", "东鹿角村", "园林村"]),
    ("110117101", "峪口镇", "TOWN", 40.205, 117.020, 1.0, ["峪口村", "西樊各庄村", "东樊各庄村"]),
    ("110117102", "马坊镇", "TOWN", 40.075, 117.005, 1.0, ["马坊村", "东店村", "英城村"]),
    ("110117103", "东高村镇", "TOWN", 40.110, 117.190, 1.0, ["东高村", "南宅村", "崔家庄村"]),
    ("110117104", "金海湖镇", "TOWN", 40.183, 117.290, 3.0, ["上宅村", "靠山集村", "黄草洼村"]),
    ("110117105", "山东庄镇", "TOWN", 40.180, 117.160, 1.0, ["山东庄村", "桃棚村", "鱼子山村"]),
    ("110117106", "南独乐河镇", "TOWN", 40.215, 117.255, 1.0, ["南独乐河村", "北寨村", "峨嵋山村"]),
    ("110117107", "大华山镇", "TOWN", 40.255, 117.145, 0.8, ["大华山村", "后北宫村", "麻子峪村"]),
    ("110117108", "夏各庄镇", "TOWN", 40.120, 117.260, 1.0, ["夏各庄村", "贤王庄村", "龙家务村"]),
    ("110117109", "马昌营镇", "TOWN", 40.100, 117.060, 0.8, ["马昌营村", "王各庄村", "天井村"]),
    ("110117110", "王辛庄镇", "TOWN", 40.200, 117.095, 1.0, ["王辛庄村", "太后村", "许家务村"]),
    ("110117111", "大兴庄镇", "TOWN", 40.115, 117.135, 0.8, ["大兴庄村", "唐庄子村", "良庄子村"]),
    ("110117112", "刘家店镇", "TOWN", 40.240, 117.080, 0.7, ["刘家店村", "北店村", "寅洞村"]),
    ("110117113", "镇罗营镇", "TOWN", 40.290, 117.180, 0.7, ["镇罗营村", "张家台村", "玻璃台村"]),
]
# fmt: on

# code, full name, short name, kind
DEPARTMENTS = [
    ("ZJW", "区住房和城乡建设委员会", "住建委", "GOVERNMENT"),
    ("JT", "区交通局", "交通局", "GOVERNMENT"),
    ("STHJ", "区生态环境局", "生态环境局", "GOVERNMENT"),
    ("NYNC", "区农业农村局", "农业农村局", "GOVERNMENT"),
    ("YLLH", "区园林绿化局", "园林绿化局", "GOVERNMENT"),
    ("YJGL", "区应急管理局", "应急管理局", "GOVERNMENT"),
    ("WSJK", "区卫生健康委员会", "卫健委", "GOVERNMENT"),
    ("XF", "区消防救援支队", "消防救援支队", "GOVERNMENT"),
    ("CGW", "区城市管理委员会", "城管委", "GOVERNMENT"),
    ("GD", "国网北京平谷供电公司", "供电公司", "ENTERPRISE"),
    ("ZLS", "平谷区自来水公司", "自来水公司", "ENTERPRISE"),
]

# code, level1, level2, name, tier, lead, assists, outcome category
# fmt: off
MATTERS = [
    ("CX-WJ-02", "城乡建设", "违法建设", "违法占地建设", "WORKING_20D", "GHZY", ["CGZF", "NYNC"], "demolish"),
    ("CX-HJ-02", "城乡建设", "市容环境", "占道经营", "WORKING_4H", "CGZF", [], "clean"),
    ("CX-HJ-03", "城乡建设", "市容环境", "违规户外广告", "ORDINARY_7D", "CGZF", ["CGW"], "clean"),
    ("CX-HJ-04", "城乡建设", "市容环境", "渣土遗撒", "WORKING_4H", "CGZF", ["JT", "ZJW"], "clean"),
    ("CX-SS-01", "城乡建设", "市政设施", "井盖缺失破损", "UTILITY_24H", "CGW", ["JT"], "repair"),
    ("CX-SS-02", "城乡建设", "市政设施", "路灯不亮", "UTILITY_24H", "CGW", ["GD"], "repair"),
    ("CX-SS-03", "城乡建设", "市政设施", "供水管线漏水", "UTILITY_24H", "ZLS", ["SW"], "repair"),
    ("CX-SS-04", "城乡建设", "市政设施", "线路私拉乱接", "UTILITY_24H", "GD", ["YJGL"], "repair"),
    ("CX-JZ-01", "城乡建设", "建筑施工", "工地夜间施工扰民", "ORDINARY_7D", "ZJW", ["STHJ", "CGZF"], "clean"),
    ("ZY-HJ-01", "资源环境", "环境污染", "散乱污企业", "COMPLEX_15D", "STHJ", ["SCJG", "GD"], "enforce"),
    ("ZY-HJ-02", "资源环境", "环境污染", "露天焚烧", "WORKING_4H", "STHJ", ["CGZF"], "clean"),
    ("ZY-LD-01", "资源环境", "林地保护", "毁林占地", "COMPLEX_15D", "YLLH", ["GHZY", "GA"], "demolish"),
    ("ZY-TD-01", "资源环境", "土地管理", "违法占用耕地", "WORKING_20D", "GHZY", ["NYNC"], "demolish"),
    ("SW-HD-02", "水务", "河道管理", "河道非法排污", "ORDINARY_7D", "SW", ["STHJ"], "enforce"),
    ("SW-HD-03", "水务", "河道管理", "河道管理范围内违法建设", "WORKING_20D", "SW", ["CGZF", "GHZY"], "demolish"),
    ("AQ-XF-01", "安全生产", "消防安全", "消防通道堵塞", "EMERGENCY_2H", "XF", ["CGZF"], "safety"),
    ("AQ-XF-02", "安全生产", "消防安全", "群租房安全隐患", "ORDINARY_7D", "XF", ["GA", "ZJW"], "safety"),
    ("AQ-SC-01", "安全生产", "危险化学品", "非法储存危险化学品", "EMERGENCY_2H", "YJGL", ["GA", "XF"], "enforce"),
    ("AQ-SC-02", "安全生产", "燃气安全", "瓶装燃气违规使用", "UTILITY_24H", "CGW", ["YJGL", "SCJG"], "safety"),
    ("SC-SP-02", "市场监管", "食品安全", "农贸市场食品安全", "ORDINARY_7D", "SCJG", ["WSJK"], "enforce"),
    ("SC-JY-01", "市场监管", "经营秩序", "黑车非法营运", "ORDINARY_7D", "JT", ["GA"], "enforce"),
    ("NY-NY-01", "农业农村", "设施农业", "违规大棚房", "WORKING_20D", "NYNC", ["GHZY", "CGZF"], "demolish"),
    ("WS-GG-01", "卫生健康", "医疗秩序", "无证行医", "ORDINARY_7D", "WSJK", ["SCJG", "GA"], "enforce"),
]
# fmt: on
CAST_MATTER_CATEGORY = {
    "CX-WJ-01": "demolish",
    "CX-HJ-01": "clean",
    "ZY-KC-01": "enforce",
    "SW-HD-01": "clean",
    "SC-SP-01": "enforce",
}

# matter -> (problem titles, descriptions). {p}: a place phrase, {a}: the address, {n}: a number.
TEXTS = {
    "CX-WJ-01": (
        ["{p}私搭乱建彩钢房", "{p}违法加盖二层建筑", "{p}院外私搭棚亭", "{p}占用公共空间搭建库房"],
        [
            "网格员巡查发现{a}有人正在搭建彩钢房，面积约{n}平方米，未见规划手续。",
            "群众反映{a}一处院落向外扩建，占用村内道路，现场堆放大量建材。",
        ],
    ),
    "CX-HJ-01": (
        ["{p}暴露垃圾堆放", "{p}生活垃圾未及时清运", "{p}路边建筑垃圾堆积"],
        [
            "{a}路边堆放生活垃圾约{n}立方米，气味较大，周边居民多次反映。",
            "巡查发现{a}建筑垃圾与生活垃圾混堆，已占用部分绿地。",
        ],
    ),
    "ZY-KC-01": (
        ["{p}夜间非法采砂", "{p}河道疑似盗采砂石", "{p}山坡非法采金点"],
        [
            "群众举报{a}夜间有挖掘机和运砂车作业，河床出现多处深坑。",
            "巡查发现{a}有新开挖痕迹和简易洗砂设备，疑似非法采砂，需公安、水务联合查处。",
        ],
    ),
    "SW-HD-01": (
        ["{p}河道内乱堆乱放", "{p}河滩堆放建筑垃圾", "{p}河岸堆放杂物阻水"],
        [
            "{a}河道管理范围内堆放渣土和杂物约{n}立方米，汛期存在阻水隐患。",
            "河长巡河发现{a}河滩有人倾倒建筑垃圾。",
        ],
    ),
    "SC-SP-01": (
        ["{p}无证照经营小餐馆", "{p}无证照食品加工点", "{p}无照经营废品收购站"],
        [
            "{a}一处门店未取得营业执照和食品经营许可证即开展经营，卫生条件较差。",
            "群众反映{a}有家庭作坊加工熟食对外销售，无任何证照。",
        ],
    ),
    "CX-WJ-02": (
        ["{p}违法占地建设厂房", "{p}集体土地上违规建设院落"],
        ["巡查发现{a}有人在集体土地上建设厂房，已完成地基浇筑，面积约{n}平方米。"],
    ),
    "CX-HJ-02": (
        ["{p}早市占道经营", "{p}流动摊贩占道经营", "{p}商户出店经营堵塞人行道"],
        [
            "{a}早晚有摊贩占用机动车道经营，造成交通拥堵。",
            "{a}沿街商铺出店经营，人行道被货物占满，行人只能走机动车道。",
        ],
    ),
    "CX-HJ-03": (
        ["{p}违规设置户外广告牌", "{p}楼顶广告牌松动存在隐患"],
        ["{a}新设大型户外广告牌未经审批，固定不牢，大风天气存在坠落风险。"],
    ),
    "CX-HJ-04": (
        ["{p}渣土车遗撒", "{p}工地车辆带泥上路"],
        ["{a}夜间渣土车未苫盖行驶，路面遗撒渣土约{n}米，扬尘严重。"],
    ),
    "CX-SS-01": (
        ["{p}井盖缺失", "{p}雨水井盖破损下沉"],
        ["{a}一处井盖缺失，仅用树枝遮挡，夜间存在行人坠落风险。"],
    ),
    "CX-SS-02": (
        ["{p}路灯不亮", "{p}一排路灯夜间熄灭"],
        ["居民反映{a}约{n}盏路灯连续多日不亮，夜间出行不便。"],
    ),
    "CX-SS-03": (
        ["{p}自来水管线漏水", "{p}地下供水管道爆裂"],
        ["{a}路面持续冒水，疑似地下供水管线破裂，周边居民水压明显下降。"],
    ),
    "CX-SS-04": (
        ["{p}电动车充电线私拉乱接", "{p}架空线路私接乱挂"],
        ["{a}居民从楼上私拉电线为电动车充电，线路横跨人行道，存在触电和火灾隐患。"],
    ),
    "CX-JZ-01": (
        ["{p}工地夜间施工扰民"],
        ["群众反映{a}工地每天夜间22点后仍在施工，噪声扰民，未见夜间施工许可公示。"],
    ),
    "ZY-HJ-01": (
        ["{p}散乱污小作坊", "{p}无手续塑料颗粒加工点"],
        ["巡查发现{a}有一处无手续加工作坊，生产时排放刺鼻气体，废水直排。"],
    ),
    "ZY-HJ-02": (
        ["{p}露天焚烧垃圾", "{p}焚烧秸秆枯枝"],
        ["{a}有人露天焚烧垃圾和枯枝，浓烟较大，靠近林地。"],
    ),
    "ZY-LD-01": (
        ["{p}毁林开垦", "{p}占用林地堆放建材"],
        ["护林员发现{a}有人砍伐林木开垦土地，面积约{n}亩。"],
    ),
    "ZY-TD-01": (
        ["{p}占用耕地建房", "{p}耕地内违法硬化"],
        ["卫片图斑显示{a}耕地被硬化约{n}平方米，现场有人建设简易房。"],
    ),
    "SW-HD-02": (
        ["{p}向河道偷排污水", "{p}排污口疑似违法排放"],
        ["{a}河道排口夜间排放浑浊污水，河水发黑发臭。"],
    ),
    "SW-HD-03": (
        ["{p}河道管理范围内违建", "{p}河滩私建养殖棚"],
        ["{a}河道管理范围内新建养殖棚约{n}平方米，影响行洪。"],
    ),
    "AQ-XF-01": (
        ["{p}消防通道被占用", "{p}小区消防通道堆放杂物"],
        ["{a}消防通道被私家车和杂物长期占用，消防车无法通行。"],
    ),
    "AQ-XF-02": (
        ["{p}群租房安全隐患", "{p}出租大院违规住人"],
        ["{a}一处出租大院隔断出租{n}间，电动车室内充电，无消防设施。"],
    ),
    "AQ-SC-01": (
        ["{p}非法储存危险化学品", "{p}私设加油点"],
        ["群众举报{a}一处院内存放大量油桶，疑似非法储存和销售汽油。"],
    ),
    "AQ-SC-02": (
        ["{p}餐馆违规使用瓶装液化气", "{p}燃气钢瓶存放不规范"],
        ["{a}多家餐馆在地下室使用瓶装液化气，钢瓶无检验标识。"],
    ),
    "SC-SP-02": (
        ["{p}农贸市场销售过期食品"],
        ["群众反映{a}农贸市场有摊位销售过期熟食，市场无快检记录。"],
    ),
    "SC-JY-01": (
        ["{p}黑车聚集拉客", "{p}景区门口黑车揽客"],
        ["{a}每天有{n}辆左右无营运资质车辆聚集揽客，扰乱交通秩序。"],
    ),
    "NY-NY-01": (
        ["{p}设施农业大棚违规建房", "{p}农业园区大棚房"],
        ["巡查发现{a}设施农业大棚内建设居住用房，配有厨卫，面积约{n}平方米。"],
    ),
    "WS-GG-01": (
        ["{p}无证行医诊所", "{p}非法牙科诊所"],
        ["群众举报{a}有人无执业资格开展诊疗活动，使用器械消毒不规范。"],
    ),
}

OUTCOMES = {
    # category -> (notes, inspections range, case probability, fines range, items range)
    "demolish": (
        [
            "现场下达责令停止建设通知书，拆除违法建设约{n}平方米",
            "联合认定违法建设，当事人已自行拆除，现场已清理",
            "已立案调查，依法送达限期拆除决定书",
        ],
        (1, 3),
        0.5,
        (5000, 50000),
        (1, 6),
    ),
    "clean": (
        [
            "组织作业队清理完毕，共清运约{n}立方米",
            "现场劝导整改，已责成属地落实日常巡查",
            "对责任人批评教育，依法处以罚款",
        ],
        (1, 3),
        0.15,
        (200, 2000),
        (1, 20),
    ),
    "enforce": (
        [
            "联合执法检查，查扣涉案设备{n}台（套），已立案",
            "现场取证并依法立案，当事人已停止违法行为",
            "会同公安开展联合查处，涉案人员已移交处理",
        ],
        (2, 6),
        0.75,
        (10000, 200000),
        (0, 3),
    ),
    "repair": (
        [
            "已组织抢修，恢复正常，更换部件{n}处",
            "现场设置警示围挡后完成修复",
            "已排查同路段设施，一并完成维修",
        ],
        (1, 2),
        0.0,
        (0, 0),
        (1, 5),
    ),
    "safety": (
        [
            "开展安全检查，督促整改隐患{n}处",
            "清理占用通道杂物，约谈责任人",
            "下达整改通知书，复查已整改到位",
        ],
        (2, 8),
        0.3,
        (500, 5000),
        (1, 10),
    ),
}

LEDGER_TASKS = {
    "demolish": ["{p}违建拆除", "{p}建筑垃圾清运", "{p}围挡设置", "{p}复耕复绿", "{p}当事人约谈"],
    "clean": ["{p}垃圾清运", "{p}占道摊点清理", "{p}责任人约谈", "{p}路面冲洗", "{p}设置宣传牌"],
    "enforce": ["{p}设备查扣", "{p}证据固定", "{p}涉事人员约谈", "{p}现场封堵", "{p}回头看复查"],
    "repair": ["{p}隐患排查", "{p}设施更换", "{p}临时围挡", "{p}线路整理"],
    "safety": ["{p}隐患排查", "{p}通道清理", "{p}电动车充电整治", "{p}消防器材配备"],
}

STANDALONE = [
    # title, description, area, kind, urgency, lead, assists, mode
    (
        "{t}重点项目征地拆迁协调",
        "区重点项目进入拆迁阶段，涉及地上物认定、手续办理和矛盾调处，需相关部门集中办公。",
        "KEY_TASK",
        "DEVELOPMENT",
        "NORMAL",
        "GHZY",
        ["ZJW", "NYNC"],
        "ROUTINE",
    ),
    (
        "{t}美丽乡村建设项目手续协调",
        "美丽乡村建设项目涉及林地、水务和供电手续，需相关部门现场会商，明确办理路径。",
        "KEY_TASK",
        "DEVELOPMENT",
        "NORMAL",
        "NYNC",
        ["YLLH", "SW", "GD"],
        "ROUTINE",
    ),
    (
        "强降雨致{t}道路积水",
        "强降雨导致多处低洼路段积水，部分村庄进水，需紧急排水、交通疏导和电力保障。",
        "EMERGENCY",
        "MANAGEMENT",
        "CRITICAL",
        "SW",
        ["YJGL", "JT", "GD"],
        "ROUTINE",
    ),
    (
        "{t}山林火情处置",
        "山区林地出现火情，火势沿山脊蔓延，需扑火力量和周边群众疏散。",
        "EMERGENCY",
        "ENFORCEMENT",
        "CRITICAL",
        "YLLH",
        ["XF", "YJGL", "GA"],
        "ROUTINE",
    ),
    (
        "{t}节前安全生产大检查",
        "节日前开展辖区安全生产和燃气安全联合大检查，逐项销账。",
        "KEY_TASK",
        "MANAGEMENT",
        "NORMAL",
        "YJGL",
        ["XF", "CGW", "SCJG"],
        "LEDGER",
    ),
    (
        "{t}冬季清洁取暖安全检查",
        "入冬前对煤改电、煤改气户和燃气经营点开展联合检查。",
        "KEY_TASK",
        "MANAGEMENT",
        "NORMAL",
        "CGW",
        ["GD", "YJGL"],
        "LEDGER",
    ),
]
STANDALONE_LEDGER = [
    "重点企业燃气设施检查",
    "农家院消防安全检查",
    "加油站周边隐患排查",
    "出租大院用电检查",
    "养老机构安全检查",
    "学校周边食品安全检查",
]

ROADS = [
    "平谷大街",
    "府前街",
    "新平南路",
    "林荫北街",
    "迎宾街",
    "建设街",
    "金海湖路",
    "胡陈路",
    "平蓟路",
    "密三路",
    "顺平路",
    "泃河沿岸",
    "洳河沿岸",
    "错河沿岸",
]
SPOTS = ["东侧", "西口", "南侧", "北侧", "村委会附近", "主路旁", "河边", "菜市场旁", "桥下"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力鹏飞宇浩凯志峰晨琳雪梅兰凤海波云春雷"

CLOSE_REASONS = [
    "经现场核实，问题已由村委会自行整改完毕",
    "经核查反映情况不属实，现场无此问题",
    "属于民事纠纷，已告知当事人通过调解或诉讼途径解决",
    "已纳入日常保洁范围，由属地直接处理，无需吹哨",
]
DISPATCH_REASONS = [
    "已按日常派单流程交责任部门办理，经回访已解决",
    "已由属地村（社区）组织整改完毕，复查无反弹",
    "已转12345热线按接诉即办流程办结",
]
REJECT_REASONS = [
    "现场复查仍有违建材料未清运，请返工",
    "整改照片与现场不符，请重新处置",
    "问题仍然存在，群众再次反映，请继续处置",
    "仅做了临时处理，未从根本上解决，请返工",
]
GOOD_COMMENTS = ["到场及时，处置彻底", "配合积极，效果明显", "响应迅速，群众满意", "", "", ""]
BAD_COMMENTS = [
    "多次催促才到场，处置敷衍",
    "到场人员不掌握情况，问题反复",
    "未按时限报到，影响整体行动",
]
CORRECTION_REASONS = [
    "复核到场记录后更正及时性评分",
    "原评分录入有误，按集体研究意见更正",
    "群众回访结果较好，更正实效性评分",
]
SUPERVISE_COMMENTS = [
    "请立即安排人员到场，今日内反馈进展",
    "已超时限，请说明原因并加快处置",
    "区领导关注，请部门负责人亲自督办",
]
OBJECTION_REASONS = [
    ("该事项依据权责清单应由其他部门牵头，我单位仅配合", "权责清单相关条目"),
    ("现场涉及的设施产权属于企业，不属于本部门职责", "设施养护职责划分"),
    ("事发地位于河道管理范围，应由水务部门负责", "河道管理职责"),
]
MEETING_POINTS = ["镇政府东侧停车场", "派出所院内", "村委会广场", "综合执法队驻地", "收费站出口"]

# ---------------------------------------------------------------------------------------------
# The simulation
# ---------------------------------------------------------------------------------------------


@dataclass
class Town:
    j: Jurisdiction
    weight: float
    cmd: User
    staff: User
    grid: User
    places: list = field(default_factory=list)  # (community, [grids])
    campaigns: list = field(default_factory=list)


@dataclass
class WInfo:
    pk: int
    town: Town
    mode: str
    matter: str | None
    created_at: dt.datetime
    launch_at: dt.datetime | None
    lat: float | None
    lng: float | None
    verifiers: list  # users that verify and evaluate (the whistler side)
    boss: User  # launches and cancels
    cancel_planned: bool = False


@dataclass
class Plan:
    """How one summons will go: decided once when it is issued."""

    sid: int
    dept: str
    w: WInfo
    late_report: bool
    late_finish: bool
    rejects: int
    objection: str | None  # None, "DISMISS" or "REASSIGN"


class Sim:
    def __init__(self, *, now, scale, rng_seed, stdout):
        self.end = now
        self.start = (now - dt.timedelta(days=365)).replace(microsecond=0)
        self.scale = scale
        self.rng = random.Random(rng_seed)
        self.cal = work_calendar()
        self.out = stdout
        self.heap = []
        self.seq = itertools.count()
        self.names = set()
        self.actors = {}
        self.heads = {}
        self.officers = {}
        self.towns: dict[str, Town] = {}
        self.matters = {}
        self.category = dict(CAST_MATTER_CATEGORY)
        self.plans = {}
        self.deadlines = []
        self.suggested = {}
        self.campaign_plans = []

    # -- plumbing ------------------------------------------------------------------------------

    def at(self, t, fn, *args):
        # Anything planned after `now` has simply not happened yet: that is the open work.
        if t <= self.end:
            heapq.heappush(self.heap, (t, next(self.seq), fn, args))

    def run(self):
        while self.heap:
            t, _seq, fn, args = heapq.heappop(self.heap)
            fn(t, *args)

    def a(self, user):
        return self.actors[user.pk]

    def u(self, lo, hi):
        return self.rng.uniform(lo, hi)

    def hours(self, lo, hi):
        return dt.timedelta(seconds=self.u(lo, hi) * 3600)

    def say(self, msg):
        if self.out is not None:
            self.out.write(msg)

    def person(self):
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2)))
            )
            if name not in self.names:
                self.names.add(name)
                return name

    # -- the organisation ----------------------------------------------------------------------

    def build_org(self):
        t = self.start
        self.world = w = cast.build_world(now=t)
        for u in w.users.values():
            self.names.add(u.display_name)
        self.cast = w.users
        for code, name, short, kind in DEPARTMENTS:
            w.depts[code] = O.department_create(
                actor=SYSTEM,
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                district_code="110117",
                now=t,
            )
        self.depts = w.depts
        self._matters(t)
        existing = {"110117104": w.town, "110117001": w.street}
        phone = itertools.count(1)
        for code, name, kind, lat, lng, weight, communities in TOWNSHIPS:
            j = existing.get(code) or O.jurisdiction_create(
                actor=SYSTEM,
                code=code,
                name=name,
                level="TOWNSHIP",
                kind=kind,
                lat=lat,
                lng=lng,
                now=t,
            )
            places = []
            if code == "110117104":
                extra = O.jurisdiction_create(
                    actor=SYSTEM,
                    code="110117104201002",
                    name="海子村第2网格",
                    level="GRID",
                    now=t,
                )
                places.append((w.village, [w.grid, extra]))
            n = self.rng.randint(2, len(communities))
            for i, cname in enumerate(communities[:n]):
                seq = (202 + i) if code == "110117104" else (1 + i if kind == "STREET" else 201 + i)
                ccode = f"{code}{seq:03d}"
                c = O.jurisdiction_create(
                    actor=SYSTEM, code=ccode, name=cname, level="COMMUNITY", now=t
                )
                grids = [
                    O.jurisdiction_create(
                        actor=SYSTEM,
                        code=f"{ccode}{g:03d}",
                        name=f"{cname}第{g}网格",
                        level="GRID",
                        now=t,
                    )
                    for g in range(1, self.rng.randint(1, 3) + 1)
                ]
                places.append((c, grids))
            users = {}
            cast_users = {
                "110117104": {"cmd": "commander", "staff": "staff", "grid": "grid"},
                "110117001": {"cmd": "other_commander"},
            }.get(code, {})
            for key, role in (
                ("cmd", R.TOWNSHIP_COMMANDER),
                ("staff", R.TOWNSHIP_STAFF),
                ("grid", R.GRID_WORKER),
            ):
                if key in cast_users:
                    users[key] = self.cast[cast_users[key]]
                    continue
                scope = places[0][1][0] if key == "grid" else j
                users[key] = self._user(f"t_{code}_{key}", role, t, phone, jurisdiction=scope)
            self.towns[code] = Town(j, weight, users["cmd"], users["staff"], users["grid"], places)
        cast_dept_users = {
            "CGZF": ("cg_head", "cg_officer"),
            "GHZY": ("gh_head", "gh_officer"),
            "GA": ("ga_head", None),
            "SW": ("sw_head", None),
        }
        for code, dept in self.depts.items():
            head, officer = cast_dept_users.get(code, (None, None))
            self.heads[code] = (
                self.cast[head]
                if head
                else self._user(
                    f"d_{code}_head", R.DEPARTMENT_DISPATCHER, t, phone, department=dept
                )
            )
            self.officers[code] = (
                self.cast[officer]
                if officer
                else self._user(
                    f"d_{code}_officer", R.DEPARTMENT_OFFICER, t, phone, department=dept
                )
            )
        # Actors are built once, after every grant, so their cached scopes are complete.
        for u in [*self.cast.values(), *self.heads.values(), *self.officers.values()]:
            self.actors[u.pk] = actor_for(u)
        for town in self.towns.values():
            for u in (town.cmd, town.staff, town.grid):
                self.actors[u.pk] = actor_for(u)
        self.town_codes = [code for code, *_rest in TOWNSHIPS]
        self.town_weights = [self.towns[c].weight for c in self.town_codes]
        # Outlines for every township, community and grid, so the map has real shapes and
        # located demands and problems are placed in their grid.
        from shaobao.places.demo import demo_boundaries

        demo_boundaries(now=t)

    def _user(self, username, role, t, phone, *, jurisdiction=None, department=None):
        u = O.user_create(
            actor=SYSTEM,
            username=username,
            display_name=self.person(),
            password=cast.PASSWORD,
            phone=f"138{10_000_000 + next(phone) * 4391:08d}",
            now=t,
        )
        O.membership_grant(
            actor=SYSTEM,
            user=u,
            role=role,
            jurisdiction=jurisdiction,
            department=department,
            now=t,
        )
        return u

    def _matters(self, t):
        duty_list = self.world.duty_list
        for code, l1, l2, name, tier, lead, assists, category in MATTERS:
            m = Matter.objects.create(code=code, level1=l1, level2=l2, name=name, tier=tier)
            duty = Duty.objects.create(
                duty_list=duty_list,
                matter=m,
                lead_department=self.depts[lead],
                law="《北京市街道办事处条例》",
                article="第五条",
            )
            duty.assist_departments.set([self.depts[x] for x in assists])
            self.category[code] = category
        self.matters = {m.code: m for m in Matter.objects.all()}
        self.lead_of = {
            d.matter.code: d.lead_department.code
            for d in Duty.objects.select_related("matter", "lead_department")
        }
        self.matter_codes = sorted(self.matters)

    # -- text ----------------------------------------------------------------------------------

    def place(self, town: Town):
        community, grids = self.rng.choice(town.places)
        grid = self.rng.choice(grids)
        if town.j.kind == "STREET":
            phrase = f"{self.rng.choice(ROADS)}{community.name}{self.rng.choice(SPOTS)}"
        else:
            phrase = f"{community.name}{self.rng.choice(SPOTS)}"
        address = f"平谷区{town.j.name}{phrase}"
        lat = town.j.lat + self.u(-0.02, 0.02)
        lng = town.j.lng + self.u(-0.025, 0.025)
        return SimpleNamespace(
            community=community, grid=grid, phrase=phrase, address=address, lat=lat, lng=lng
        )

    def problem_text(self, matter, where):
        titles, descs = TEXTS[matter]
        n = self.rng.randint(3, 300)
        title = self.rng.choice(titles).format(p=where.phrase)
        desc = self.rng.choice(descs).format(a=where.address, n=n)
        return title[:120], desc

    # -- campaigns and routines ----------------------------------------------------------------

    def plan_campaigns(self):
        today = self.start.astimezone(LOCAL_TZ).date()
        end_day = self.end.astimezone(LOCAL_TZ).date()
        specs = [
            (
                "110117104",
                "双安双打专项行动",
                ["GHZY", "GA", "SW", "CGZF", "SCJG", "YJGL", "NYNC", "STHJ", "YLLH", "GD"],
                today + dt.timedelta(days=15),
                today + dt.timedelta(days=15 + 116),
                "ZY-KC-01",
            ),
            (
                "110117001",
                "背街小巷环境精细化整治",
                ["CGZF", "CGW", "ZJW", "JT", "SCJG"],
                today + dt.timedelta(days=140),
                today + dt.timedelta(days=230),
                "CX-HJ-02",
            ),
            (
                "110117100",
                "泃河沿岸环境综合整治",
                ["SW", "STHJ", "CGZF", "GHZY", "YJGL"],
                end_day - dt.timedelta(days=100),
                end_day + dt.timedelta(days=60),
                "SW-HD-01",
            ),
        ]
        for code, name, members, starts, ends, focus in specs:
            t = dt.datetime.combine(starts, dt.time(9, 0), LOCAL_TZ)
            self.at(t, self.ev_campaign_create, code, name, members, starts, ends, focus)

    def ev_campaign_create(self, t, code, name, members, starts, ends, focus):
        town = self.towns[code]
        c = WS.campaign_create(
            actor=self.a(town.cmd),
            township_id=town.j.pk,
            name=name,
            commander_id=town.cmd.pk,
            executive_commander_id=town.staff.pk,
            department_ids=[self.depts[m].pk for m in members],
            starts_date=starts,
            ends_date=ends,
            now=t,
        )
        town.campaigns.append(SimpleNamespace(c=c, members=set(members), focus=focus))
        self.at(dt.datetime.combine(ends, dt.time(18, 0), LOCAL_TZ) + DAY, self.ev_campaign_end, c)

    def ev_campaign_end(self, t, c):
        if c.whistles.filter(status=Whistle.ACTIVE).exists():
            self.at(t + DAY, self.ev_campaign_end, c)  # the command post stays until all is done
            return
        town = self.towns[c.township.code]
        c.ended_at = WS.campaign_end(actor=self.a(town.cmd), campaign_id=c.pk, now=t).ended_at

    def campaign_for(self, town, t, matter):
        day = t.astimezone(LOCAL_TZ).date()
        for cp in town.campaigns:
            if (
                cp.c.starts_date <= day <= cp.c.ends_date
                and cp.c.ended_at is None
                and matter
                and self.lead_of.get(matter) in cp.members
            ):
                return cp.c
        return None

    def plan_routines(self):
        first = max(self.start + 10 * DAY, self.end - max(30, 365 * self.scale) * DAY)
        t = first.astimezone(LOCAL_TZ).replace(hour=10, minute=0, second=0, microsecond=0)
        self.at(t, self.ev_routines)

    def ev_routines(self, t):
        specs = [
            (
                "110117104",
                "金海湖景区周边市容秩序每周联合巡查",
                "每周对景区周边占道经营、黑车揽客和暴露垃圾开展联合巡查。",
                "CX-HJ-02",
                "CGZF",
                ["JT"],
                7,
                "金海湖景区东门至环湖路",
            ),
            (
                "110117100",
                "农贸市场食品安全月度联合检查",
                "每月对镇域农贸市场开展食品安全和燃气安全联合检查。",
                "SC-SP-02",
                "SCJG",
                ["WSJK", "CGW"],
                30,
                "平谷区平谷镇岳各庄村农贸市场",
            ),
        ]
        for code, title, desc, matter, lead, assists, every, address in specs:
            town = self.towns[code]
            local = (t + DAY).astimezone(LOCAL_TZ)
            WS.routine_create(
                actor=self.a(town.staff),
                township_id=town.j.pk,
                title=title,
                description=desc,
                area="JOINT_ENFORCEMENT",
                kind="ENFORCEMENT",
                address=address,
                lead_department_id=self.depts[lead].pk,
                assist_department_ids=[self.depts[d].pk for d in assists],
                every_days=every,
                first_run_at=local.replace(hour=8, minute=0),
                matter_id=self.matters[matter].pk,
                now=t,
            )

    def ev_routine_run(self, t):
        if WS.routine_run_due(now=t, cal=self.cal, actor=SYSTEM):
            for w in Whistle.objects.filter(routine__isnull=False, created_at=t).select_related(
                "routine", "township"
            ):
                town = self.towns[w.township.code]
                self.start_whistle(w, town, w.matter.code if w.matter_id else None)

    # -- the daily rhythm ----------------------------------------------------------------------

    def ev_day(self, t):
        nxt = t + DAY
        if nxt <= self.end:
            self.at(nxt, self.ev_day)
        for h in range(2, 24, 3):
            self.at(t + h * HOUR, self.ev_sweep)
        self.at(t + 7 * HOUR, self.ev_routine_run)
        # A busier last fortnight leaves the live board and the inboxes full.
        boost = 1.6 if self.end - t < 14 * DAY else 1.0
        for _ in range(self.poisson(3.7 * self.scale * boost)):
            code = self.rng.choices(self.town_codes, self.town_weights)[0]
            self.at(t + self.hours(7, 21), self.ev_problem, code)
        day = t.astimezone(LOCAL_TZ).date()
        for code in self.town_codes:
            for cp in self.towns[code].campaigns:
                active = cp.c.ended_at is None and cp.c.starts_date <= day <= cp.c.ends_date
                if active and self.rng.random() < min(1.0, 0.07 * self.scale):
                    self.at(t + self.hours(8, 20), self.ev_campaign_op, code, cp)
        if self.rng.random() < min(1.0, 0.12 * self.scale):
            code = self.rng.choices(self.town_codes, self.town_weights)[0]
            self.at(t + self.hours(8, 18), self.ev_standalone, code)

    def poisson(self, lam):
        # Knuth's method; lam is small (a few a day).
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def track(self, summonses):
        for s in summonses:
            heapq.heappush(self.deadlines, s.report_by_at)
            heapq.heappush(self.deadlines, s.finish_by_at)

    def ev_sweep(self, t, force=False):
        # A sweep can only find something when a deadline has passed since the last one; most
        # three-hour windows of a small district have none, and each sweep costs a few queries.
        due = force
        while self.deadlines and self.deadlines[0] < t:
            heapq.heappop(self.deadlines)
            due = True
        if not due:
            return
        counts = WS.sweep_deadlines(now=t, actor=SYSTEM)
        if not any(counts.values()):
            return
        fresh = Summons.objects.filter(escalated_at=t, state__in=W.OPEN_STATES).values_list(
            "pk", flat=True
        )
        for pk in fresh:
            if self.rng.random() < 0.35:
                self.at(t + self.hours(0.5, 6), self.ev_supervise, pk)

    def ev_supervise(self, t, pk):
        if Summons.objects.filter(pk=pk, state__in=W.OPEN_STATES).exists():
            WS.summons_supervise(
                actor=self.a(self.cast["supervisor"]),
                summons_id=pk,
                comment=self.rng.choice(SUPERVISE_COMMENTS),
                now=t,
            )

    # -- problems ------------------------------------------------------------------------------

    def pick_matter(self, town, t):
        weights = []
        for code in self.matter_codes:
            wgt = 1.0
            cp = self.campaign_for(town, t, code)
            if cp is not None:
                wgt = 6.0 if any(c.focus == code for c in town.campaigns) else 2.0
            if town.j.kind == "STREET" and self.category[code] in ("demolish",):
                wgt *= 0.3
            weights.append(wgt)
        return self.rng.choices(self.matter_codes, weights)[0]

    def ev_problem(self, t, code):
        town = self.towns[code]
        matter = self.pick_matter(town, t)
        where = self.place(town)
        title, desc = self.problem_text(matter, where)
        r = self.rng.random()
        dept_id = None
        if r < 0.5:
            reporter, source = town.grid, "GRID_PATROL"
        elif r < 0.8:
            reporter, source = self.rng.choice((town.staff, town.cmd)), "TOWNSHIP"
        else:
            lead = self.lead_of[matter]
            reporter, source, dept_id = self.officers[lead], "DEPARTMENT", self.depts[lead].pk
        p = PS.problem_create(
            actor=self.a(reporter),
            township_id=town.j.pk,
            title=title,
            description=desc,
            address=where.address,
            source=source,
            matter_id=self.matters[matter].pk if source != "GRID_PATROL" else None,
            place_id=where.grid.pk,
            lat=round(where.lat, 6),
            lng=round(where.lng, 6),
            priority=3
            if self.matters[matter].tier == "EMERGENCY_2H"
            else self.rng.choice((1, 1, 2)),
            reporting_department_id=dept_id,
            now=t,
        )
        r = self.rng.random()
        if r < 0.07:
            self.at(t + self.hours(2, 48), self.ev_problem_close, p.pk, reporter.pk, False)
        elif r < 0.11:
            self.at(t + self.hours(2, 48), self.ev_problem_close, p.pk, reporter.pk, True)
        elif r < 0.97:
            self.at(t + self.hours(0.3, 30), self.ev_triage, p.pk, matter, where)

    def township_user_other_than(self, town, user_pk):
        choices = [u for u in (town.staff, town.cmd) if u.pk != user_pk]
        return self.rng.choice(choices)

    def ev_problem_close(self, t, pk, reporter_pk, merge, reasons=CLOSE_REASONS):
        p = Problem.objects.select_related("township").get(pk=pk)
        if p.status not in (Problem.NEW, Problem.TRIAGED):
            return
        town = self.towns[p.township.code]
        closer = self.township_user_other_than(town, reporter_pk)
        target = None
        if merge:
            target = (
                Problem.objects.filter(township=p.township, created_at__lt=p.created_at)
                .exclude(status__in=[Problem.MERGED, Problem.CLOSED])
                .order_by("-created_at")
                .first()
            )
        PS.problem_close(
            actor=self.a(closer),
            problem_id=pk,
            reason=(f"与{target.number}反映同一问题，合并处理" if target else None)
            or self.rng.choice(reasons),
            merged_into_id=target.pk if target else None,
            now=t,
        )

    def ev_triage(self, t, pk, matter, where):
        p = Problem.objects.select_related("township").get(pk=pk)
        if p.status != Problem.NEW:
            return
        town = self.towns[p.township.code]
        PS.problem_triage(
            actor=self.a(self.rng.choice((town.staff, town.cmd))),
            problem_id=pk,
            matter_id=self.matters[matter].pk,
            priority=p.priority,
            note="研判确认事项类别",
            now=t,
        )
        r = self.rng.random()
        if r < 0.33:
            self.at(t + self.hours(0.3, 30), self.ev_blow_problem, pk, matter, where)
        elif r < 0.5:
            # Not every problem needs a whistle: most go through ordinary dispatch and are closed
            # on the list once the owner reports back.
            self.at(
                t + self.hours(48, 600),
                self.ev_problem_close,
                pk,
                p.reported_by_id,
                False,
                DISPATCH_REASONS,
            )

    # -- whistles ------------------------------------------------------------------------------

    def ev_blow_problem(self, t, pk, matter, where):
        p = Problem.objects.select_related("township").get(pk=pk)
        if p.status != Problem.TRIAGED:
            return
        town = self.towns[p.township.code]
        problems = [p]
        if self.rng.random() < 0.15:
            problems += list(
                Problem.objects.filter(
                    township=p.township, matter=p.matter, status=Problem.TRIAGED
                ).exclude(pk=p.pk)[:2]
            )
        category = self.category[matter]
        enforcement = category in ("enforce", "demolish")
        r = self.rng.random()
        mode = "ROUTINE"
        if r < 0.12:
            mode = "LEDGER"
        elif r < 0.20 and category == "enforce":
            mode = "SURPRISE"
        tier = self.matters[matter].tier
        if tier == "EMERGENCY_2H" and self.rng.random() < 0.5:
            area = "EMERGENCY"
        elif enforcement or category == "safety":
            area = "JOINT_ENFORCEMENT"
        else:
            area = "CITIZEN_DEMAND"
        kind = "ENFORCEMENT" if area in ("JOINT_ENFORCEMENT", "EMERGENCY") else "MANAGEMENT"
        if len(problems) > 1:
            title = f"{where.community.name}{self.matters[matter].name}问题集中整治"
        else:
            title = p.title
        items = []
        if mode == "LEDGER":
            tasks = LEDGER_TASKS[category]
            k = self.rng.randint(2, min(5, len(tasks)))
            items = [x.format(p=where.phrase) for x in self.rng.sample(tasks, k)]
        launch_at, meeting = None, ""
        if mode == "SURPRISE":
            launch_at = t + self.hours(3, 10)
            meeting = self.rng.choice(MEETING_POINTS)
            title = f"{where.community.name}{self.matters[matter].name}突击检查"
        # Most whistles call the duty list's lead and assistants; some only those really needed.
        summoned = []
        suggested = self.suggested.get(matter)
        if suggested is None:
            # The duty list does not change during the simulation.
            suggested = self.suggested[matter] = WS.suggest_departments(
                matter=self.matters[matter], now=t
            )
        r = self.rng.random()
        if r < 0.35:
            summoned = suggested[:1]
        elif r < 0.6:
            summoned = suggested[:2]
        campaign = self.campaign_for(town, t, matter)
        if campaign is not None and self.rng.random() < 0.3:
            campaign = None
        blower = self.rng.choice((town.cmd, town.staff, town.staff))
        urgency = {1: "NORMAL", 2: "URGENT", 3: "CRITICAL"}[p.priority]
        w = WS.whistle_blow(
            actor=self.a(blower),
            township_id=town.j.pk,
            title=title[:120],
            description=p.description,
            address=p.address,
            lat=p.lat,
            lng=p.lng,
            area=area,
            kind=kind,
            mode=mode,
            urgency=urgency,
            summoned=summoned,
            matter_id=self.matters[matter].pk,
            problem_ids=[x.pk for x in problems],
            campaign_id=campaign.pk if campaign else None,
            launch_at=launch_at,
            meeting_point=meeting,
            ledger_items=items,
            now=t,
            cal=self.cal,
        )
        self.start_whistle(w, town, matter)

    def ev_campaign_op(self, t, code, cp):
        """A joint operation of a command post: its focus matter, several member departments."""
        town = self.towns[code]
        if cp.c.ended_at is not None:
            return
        matter = self.matters[cp.focus]
        lead = self.lead_of[cp.focus]
        others = sorted(cp.members - {lead})
        assists = self.rng.sample(others, min(len(others), self.rng.randint(1, 3)))
        where = self.place(town)
        surprise = self.rng.random() < 0.4
        w = WS.whistle_blow(
            actor=self.a(town.cmd),
            township_id=town.j.pk,
            title=f"{cp.c.name}：{where.community.name}{matter.name}联合行动",
            description=f"{cp.c.name}指挥部部署，对{where.address}一带{matter.name}问题开展联合执法。",
            address=where.address,
            lat=round(where.lat, 6),
            lng=round(where.lng, 6),
            area="JOINT_ENFORCEMENT",
            kind="ENFORCEMENT",
            mode="SURPRISE" if surprise else "ROUTINE",
            urgency="URGENT",
            summoned=[WS.SummonsSpec(self.depts[lead].pk, "LEAD")]
            + [WS.SummonsSpec(self.depts[d].pk, "ASSIST") for d in assists],
            matter_id=matter.pk,
            campaign_id=cp.c.pk,
            launch_at=t + self.hours(4, 12) if surprise else None,
            meeting_point=self.rng.choice(MEETING_POINTS) if surprise else "",
            now=t,
            cal=self.cal,
        )
        self.start_whistle(w, town, cp.focus)

    def ev_standalone(self, t, code):
        town = self.towns[code]
        title, desc, area, kind, urgency, lead, assists, mode = self.rng.choice(STANDALONE)
        where = self.place(town)
        by_dept = None
        if self.rng.random() < 0.15:
            # Departments may whistle too (Pinggu): the water authority calls in enforcement.
            by_dept = "SW"
            title, desc = (
                "{t}河道管理范围内违建联合拆除",
                "河道管理范围内违法建设影响行洪，需联合拆除。",
            )
            area, kind, urgency, lead, assists, mode = (
                "JOINT_ENFORCEMENT",
                "ENFORCEMENT",
                "URGENT",
                "CGZF",
                ["GHZY"],
                "ROUTINE",
            )
        items = []
        if mode == "LEDGER":
            items = [
                f"{c.name}{task}"
                for (c, _g), task in zip(
                    town.places, self.rng.sample(STANDALONE_LEDGER, len(town.places)), strict=False
                )
            ][:5]
        campaign = self.campaign_for(town, t, None)
        blower = self.heads[by_dept] if by_dept else town.cmd
        w = WS.whistle_blow(
            actor=self.a(blower),
            township_id=town.j.pk,
            title=title.format(t=f"{town.j.name}{where.community.name}"),
            description=desc,
            address=where.address,
            lat=round(where.lat, 6),
            lng=round(where.lng, 6),
            area=area,
            kind=kind,
            mode=mode,
            urgency=urgency,
            summoned=[WS.SummonsSpec(self.depts[lead].pk, "LEAD")]
            + [WS.SummonsSpec(self.depts[d].pk, "ASSIST") for d in assists],
            campaign_id=campaign.pk if campaign else None,
            ledger_items=items,
            blown_by_department_id=self.depts[by_dept].pk if by_dept else None,
            now=t,
            cal=self.cal,
        )
        self.start_whistle(w, town, None, blower=blower if by_dept else None)

    def start_whistle(self, w, town, matter, *, blower=None, scripted=False):
        info = WInfo(
            pk=w.pk,
            town=town,
            mode=w.mode,
            matter=matter,
            created_at=w.created_at,
            launch_at=w.launch_at,
            lat=w.lat or town.j.lat,
            lng=w.lng or town.j.lng,
            verifiers=[blower] if blower else [town.cmd, town.staff],
            boss=blower or town.cmd,
        )
        if scripted:
            return info
        summonses = list(w.summonses.select_related("department"))
        objection_at = None
        if self.rng.random() < 0.04 and len(summonses) > 1:
            objection_at = self.rng.randrange(len(summonses))
        elif self.rng.random() < 0.03:
            info.cancel_planned = True
            self.at(w.created_at + self.hours(1, 20), self.ev_cancel, info)
        if w.mode == "SURPRISE":
            self.at(w.launch_at, self.ev_launch, info)
        for i, s in enumerate(summonses):
            objection = None
            if i == objection_at:
                objection = "REASSIGN" if self.rng.random() < 0.35 else "DISMISS"
            self.start_summons(s, info, objection)
        return info

    def start_summons(self, s, info, objection=None):
        r = self.rng.random()
        plan = Plan(
            sid=s.pk,
            dept=s.department.code,
            w=info,
            late_report=r < 0.08,
            late_finish=0.08 <= r < 0.2,
            rejects=(1 if self.rng.random() < 0.1 else 0) + (1 if self.rng.random() < 0.01 else 0),
            objection=objection,
        )
        self.plans[s.pk] = plan
        self.track([s])
        start = info.launch_at or s.created_at
        window = s.report_by_at - start
        if info.launch_at and info.launch_at > s.created_at:
            ack = s.created_at + (info.launch_at - s.created_at) * self.u(0.05, 0.6)
        elif plan.late_report:
            ack = s.report_by_at + self.hours(3, 30)
        else:
            ack = start + window * self.u(0.05, 0.45)
        self.at(max(ack, s.created_at + MIN), self.ev_ack, plan)
        return plan

    def state(self, sid):
        return Summons.objects.filter(pk=sid).values_list("state", flat=True).get()

    # -- the summons lifecycle -----------------------------------------------------------------

    def ev_ack(self, t, plan):
        if self.state(plan.sid) != W.ISSUED:
            return
        if plan.objection:
            self.ev_object(t, plan)
            return
        s = WS.summons_acknowledge(
            actor=self.a(self.heads[plan.dept]),
            summons_id=plan.sid,
            officer_ids=[self.officers[plan.dept].pk],
            now=t,
        )
        if plan.w.launch_at:
            at = plan.w.launch_at + (s.report_by_at - plan.w.launch_at) * self.u(0.1, 0.9)
        elif plan.late_report:
            at = t + self.hours(0.5, 3)
        else:
            at = t + (s.report_by_at - t) * self.u(0.2, 0.9)
        self.at(max(at, t + MIN), self.ev_check_in, plan)

    def ev_check_in(self, t, plan):
        if self.state(plan.sid) != W.ACKNOWLEDGED:
            return
        s = WS.summons_check_in(
            actor=self.a(self.officers[plan.dept]),
            summons_id=plan.sid,
            lat=round(plan.w.lat + self.u(-0.0008, 0.0008), 6),
            lng=round(plan.w.lng + self.u(-0.0008, 0.0008), 6),
            accuracy_m=round(self.u(5, 40), 1),
            note=self.rng.choice(("", "", "已到达现场", "与属地工作人员会合")),
            now=t,
        )
        span = s.finish_by_at - t
        if span < HOUR:
            span = HOUR * 2
        if plan.late_finish:
            claim = max(s.finish_by_at, t) + self.hours(4, 72)
        else:
            claim = t + span * self.u(0.3, 0.85)
        work = t + (claim - t) * self.u(0.5, 0.95)
        self.at(work, self.ev_work, plan, claim)

    def ev_work(self, t, plan, claim_at):
        if self.state(plan.sid) not in (W.CHECKED_IN, W.REWORK):
            return
        category = self.category.get(plan.w.matter, "safety")
        notes, insp, p_case, fines, items = OUTCOMES[category]
        fine = 0
        cases = 0
        if self.rng.random() < p_case:
            cases = self.rng.randint(1, 3 if category == "enforce" else 1)
            if fines[1]:
                fine = self.rng.randrange(fines[0], fines[1] + 1, 100)
        WS.summons_record_outcome(
            actor=self.a(self.officers[plan.dept]),
            summons_id=plan.sid,
            inspections=self.rng.randint(*insp),
            cases_filed=cases,
            fines_yuan=str(fine),
            items_removed=self.rng.randint(*items),
            note=self.rng.choice(notes).format(n=self.rng.randint(2, 40)),
            now=t,
        )
        if plan.w.mode == "LEDGER":
            # Each department clears a share of the list as it works.
            open_items = list(
                LedgerItem.objects.filter(whistle_id=plan.w.pk, cleared_at__isnull=True)
            )
            for item in open_items[: self.rng.randint(0, len(open_items))]:
                self.clear_item(t, plan.dept, item.pk)
        self.at(max(claim_at, t + 5 * MIN), self.ev_claim, plan)

    def clear_item(self, t, dept, item_pk):
        WS.ledger_item_clear(
            actor=self.a(self.officers[dept]),
            item_id=item_pk,
            evidence_note=self.rng.choice(("已完成，附现场照片", "已整改到位", "已清理完毕")),
            now=t,
        )

    def ev_claim(self, t, plan):
        if self.state(plan.sid) not in (W.CHECKED_IN, W.REWORK):
            return
        if plan.w.mode == "LEDGER":
            for pk in LedgerItem.objects.filter(
                whistle_id=plan.w.pk, cleared_at__isnull=True
            ).values_list("pk", flat=True):
                self.clear_item(t, plan.dept, pk)
        who = self.officers[plan.dept] if self.rng.random() < 0.8 else self.heads[plan.dept]
        WS.summons_claim_completion(
            actor=self.a(who), summons_id=plan.sid, note="已按要求处置完毕，申请核查", now=t
        )
        self.at(t + self.hours(0.5, 36), self.ev_verify, plan)

    def ev_verify(self, t, plan):
        if self.state(plan.sid) != W.CLAIMED:
            return
        who = self.rng.choice(plan.w.verifiers)
        if plan.rejects:
            plan.rejects -= 1
            WS.summons_verify(
                actor=self.a(who),
                summons_id=plan.sid,
                accept=False,
                reason=self.rng.choice(REJECT_REASONS),
                now=t,
            )
            claim = t + self.hours(3, 48)
            self.at(t + (claim - t) * self.u(0.3, 0.9), self.ev_work, plan, claim)
            return
        WS.summons_verify(actor=self.a(who), summons_id=plan.sid, accept=True, now=t)
        if self.rng.random() < 0.93:
            self.at(t + self.hours(0.3, 72), self.ev_evaluate, plan)

    def scores(self, s):
        rng = self.rng
        if rng.random() < 0.03:
            return (rng.randint(1, 2), rng.randint(1, 3), rng.randint(1, 2)), rng.choice(
                BAD_COMMENTS
            )
        late = s.report_overdue_at or s.finish_overdue_at
        timeliness = rng.choice((2, 3, 3)) if late else rng.choice((5, 5, 5, 4, 4, 3))
        cooperation = rng.choice((5, 5, 4, 4, 3)) if late else rng.choice((5, 5, 5, 4, 4))
        effectiveness = rng.choice((4, 3, 3)) if s.rework_count else rng.choice((5, 5, 4, 4))
        comment = (
            rng.choice(BAD_COMMENTS) if late and rng.random() < 0.5 else rng.choice(GOOD_COMMENTS)
        )
        return (timeliness, cooperation, effectiveness), comment

    def ev_evaluate(self, t, plan, correction=False):
        s = Summons.objects.get(pk=plan.sid)
        if s.state != W.VERIFIED:
            return
        (ti, co, ef), comment = self.scores(s)
        if correction:
            ti, ef = min(5, ti + 1), min(5, ef + 1)
        evaluation_submit(
            actor=self.a(self.rng.choice(plan.w.verifiers)),
            summons_id=plan.sid,
            timeliness=ti,
            cooperation=co,
            effectiveness=ef,
            comment=comment,
            correction_reason=self.rng.choice(CORRECTION_REASONS) if correction else "",
            now=t,
        )
        if not correction and self.rng.random() < 0.04:
            self.at(t + self.hours(24, 240), self.ev_evaluate, plan, True)

    def ev_object(self, t, plan):
        summoned = self.taken(plan.w.pk)
        candidates = [c for c in sorted(self.depts) if c not in summoned]
        owner = self.rng.choice(candidates)
        reason, duty = self.rng.choice(OBJECTION_REASONS)
        o = WS.objection_raise(
            actor=self.a(self.heads[plan.dept]),
            summons_id=plan.sid,
            reason=reason,
            claimed_owner_id=self.depts[owner].pk,
            claimed_duty=duty,
            now=t,
            cal=self.cal,
        )
        self.at(t + self.hours(1, 30), self.ev_rule, plan, o.pk, owner)

    def taken(self, whistle_pk):
        """Departments a whistle may not be reassigned to: one summons per department, and a
        verified one still counts (the unique constraint only frees released/cancelled ones)."""
        return set(
            Summons.objects.filter(whistle_id=whistle_pk)
            .exclude(state__in=[W.RELEASED, W.CANCELLED])
            .values_list("department__code", flat=True)
        )

    def ev_rule(self, t, plan, objection_pk, owner):
        if not Objection.objects.filter(pk=objection_pk, state=Objection.PENDING).exists():
            return
        decision = plan.objection
        plan.objection = None
        if decision == "REASSIGN" and owner not in self.taken(plan.w.pk):
            WS.objection_rule(
                actor=self.a(self.cast["legal"]),
                objection_id=objection_pk,
                decision="REASSIGN",
                ruling="经审查，该事项依据权责清单属所指部门职责，改派",
                reassign_to_id=self.depts[owner].pk,
                now=t,
            )
            new = Summons.objects.select_related("department").get(replaces_id=plan.sid)
            self.start_summons(new, plan.w)
            return
        WS.objection_rule(
            actor=self.a(self.cast["legal"]),
            objection_id=objection_pk,
            decision="DISMISS",
            ruling="经审查，该事项属于本部门法定职责，驳回异议，请继续处置",
            now=t,
        )
        # Back to work: the department kept the summons throughout (首接负责).
        plan.late_report = True
        self.at(t + self.hours(0.2, 2), self.ev_ack, plan)

    def ev_launch(self, t, info):
        w = Whistle.objects.get(pk=info.pk)
        if w.status != Whistle.ACTIVE or w.launched_at is not None:
            return
        WS.whistle_launch(actor=self.a(info.boss), whistle_id=info.pk, now=t)

    def ev_cancel(self, t, info):
        w = Whistle.objects.get(pk=info.pk)
        if w.status != Whistle.ACTIVE or w.summonses.filter(state=W.VERIFIED).exists():
            return
        WS.whistle_cancel(
            actor=self.a(info.boss),
            whistle_id=info.pk,
            reason=self.rng.choice(
                (
                    "经核实问题已由属地自行解决，撤销吹哨",
                    "重复吹哨，已并入同一问题的吹哨处理",
                    "当事人已主动整改，无需部门到场",
                )
            ),
            now=t,
        )

    # -- the showcase near `now` ---------------------------------------------------------------

    def showcase(self):
        """Scripted work at 金海湖镇 in the last days, so the named cast always has something to
        do and every state, mode and queue is on screen, whatever the scale or the dice."""
        T = self.end
        jh = self.towns["110117104"]
        c = self.cast
        ctx = {}
        step = self.at

        def act(user):
            return self.a(user)

        def head(dept):
            return self.heads[dept]

        def officer(dept):
            return self.officers[dept]

        def sid(key, dept):
            return (
                Summons.objects.filter(whistle=ctx[key], department__code=dept)
                .order_by("-pk")
                .values_list("pk", flat=True)
                .first()
            )

        def report(t, key, who, matter, title, desc, place_idx=0, triage_by=None):
            community, grids = jh.places[place_idx]
            p = PS.problem_create(
                actor=act(who),
                township_id=jh.j.pk,
                title=title,
                description=desc,
                address=f"平谷区金海湖镇{community.name}",
                source="GRID_PATROL" if who == c["grid"] else "TOWNSHIP",
                matter_id=self.matters[matter].pk if who != c["grid"] else None,
                place_id=grids[0].pk,
                lat=jh.j.lat + 0.004 * place_idx,
                lng=jh.j.lng - 0.003 * place_idx,
                now=t,
            )
            ctx[key] = p

        def triage(t, key, matter, who):
            PS.problem_triage(
                actor=act(who),
                problem_id=ctx[key].pk,
                matter_id=self.matters[matter].pk,
                note="研判确认",
                now=t,
            )

        def blow(t, key, title, matter, depts=None, **kw):
            args = {
                "area": "CITIZEN_DEMAND",
                "kind": "MANAGEMENT",
                "mode": "ROUTINE",
                "address": f"平谷区金海湖镇{jh.places[1][0].name}",
                "description": f"{title}，需相关部门到场联合处置。",
            }
            args.update(kw)
            problems = args.pop("problems", ())
            blower = args.pop("blower", c["commander"])
            ctx[key] = WS.whistle_blow(
                actor=act(blower),
                township_id=jh.j.pk,
                title=title,
                summoned=[WS.SummonsSpec(self.depts[d].pk, r) for d, r in depts or []],
                matter_id=self.matters[matter].pk if matter else None,
                problem_ids=[ctx[p].pk for p in problems],
                lat=jh.j.lat + 0.002,
                lng=jh.j.lng + 0.002,
                now=t,
                cal=self.cal,
                **args,
            )
            self.track(ctx[key].summonses.all())

        def ack(t, key, dept):
            WS.summons_acknowledge(
                actor=act(head(dept)),
                summons_id=sid(key, dept),
                officer_ids=[officer(dept).pk],
                now=t,
            )

        def check_in(t, key, dept):
            WS.summons_check_in(
                actor=act(officer(dept)),
                summons_id=sid(key, dept),
                lat=jh.j.lat + 0.0021,
                lng=jh.j.lng + 0.0019,
                accuracy_m=12.0,
                now=t,
            )

        def outcome(t, key, dept, note, **numbers):
            WS.summons_record_outcome(
                actor=act(officer(dept)), summons_id=sid(key, dept), note=note, now=t, **numbers
            )

        def claim(t, key, dept):
            WS.summons_claim_completion(
                actor=act(officer(dept)), summons_id=sid(key, dept), note="处置完毕", now=t
            )

        def verify(t, key, dept, who, accept=True, reason=""):
            WS.summons_verify(
                actor=act(who), summons_id=sid(key, dept), accept=accept, reason=reason, now=t
            )

        def evaluate(t, key, dept, who, scores, comment="", correction=""):
            ti, co, ef = scores
            evaluation_submit(
                actor=act(who),
                summons_id=sid(key, dept),
                timeliness=ti,
                cooperation=co,
                effectiveness=ef,
                comment=comment,
                correction_reason=correction,
                now=t,
            )

        def object_(t, key, dept, owner, reason):
            ctx[f"{key}:objection"] = WS.objection_raise(
                actor=act(head(dept)),
                summons_id=sid(key, dept),
                reason=reason,
                claimed_owner_id=self.depts[owner].pk,
                claimed_duty="权责清单",
                now=t,
                cal=self.cal,
            )

        def rule(t, key, decision, ruling, to=None):
            WS.objection_rule(
                actor=act(c["legal"]),
                objection_id=ctx[f"{key}:objection"].pk,
                decision=decision,
                ruling=ruling,
                reassign_to_id=self.depts[to].pk if to else None,
                now=t,
            )
            self.track(Summons.objects.filter(whistle=ctx[key], created_at=t))

        def clear(t, key, dept, n):
            for pk in LedgerItem.objects.filter(
                whistle=ctx[key], cleared_at__isnull=True
            ).values_list("pk", flat=True)[:n]:
                self.clear_item(t, dept, pk)

        def close(t, key, who, reason, into=None):
            PS.problem_close(
                actor=act(who),
                problem_id=ctx[key].pk,
                reason=reason,
                merged_into_id=ctx[into].pk if into else None,
                now=t,
            )

        def cancel(t, key, reason):
            WS.whistle_cancel(
                actor=act(c["commander"]), whistle_id=ctx[key].pk, reason=reason, now=t
            )

        def launch(t, key):
            WS.whistle_launch(actor=act(c["commander"]), whistle_id=ctx[key].pk, now=t)

        def sweep(t):
            WS.sweep_deadlines(now=t, actor=SYSTEM)

        def supervise(t, key, dept, comment):
            WS.summons_supervise(
                actor=act(c["supervisor"]), summons_id=sid(key, dept), comment=comment, now=t
            )

        g, staff, cmd = c["grid"], c["staff"], c["commander"]
        # fmt: off
        script = [
            # Problems in every status of the list.
            (T - 60 * HOUR, report, "pA", g, "SW-HD-01", "海子村河滩堆放建筑垃圾",
             "河滩堆放建筑垃圾约30立方米，汛期阻水。", 0),
            (T - 58 * HOUR, triage, "pA", "SW-HD-01", staff),
            (T - 40 * HOUR, report, "pC", g, "CX-HJ-01", "上宅村口垃圾桶满溢",
             "垃圾桶满溢，周边散落垃圾。", 1),
            (T - 39 * HOUR, report, "pD", g, "SW-HD-01", "海子村河边有人倒垃圾",
             "河边倾倒建筑垃圾，疑与此前反映为同一处。", 0),
            (T - 36 * HOUR, close, "pC", staff, "经现场核实，村保洁员已清运完毕"),
            (T - 35 * HOUR, close, "pD", staff, "与此前反映为同一问题，合并处理", "pA"),
            (T - 30 * HOUR, report, "pB", g, "CX-HJ-01", "靠山集村路边暴露垃圾",
             "路边暴露垃圾约5立方米。", 1),
            (T - 29 * HOUR, triage, "pB", "CX-HJ-01", staff),
            (T - 20 * HOUR, report, "pE", staff, "CX-WJ-01", "黄草洼村私搭彩钢房",
             "村民院外私搭彩钢房约40平方米。", 2),
            (T - 18 * HOUR, triage, "pE", "CX-WJ-01", cmd),
            (T - 5 * HOUR, report, "pF", g, "CX-HJ-01", "上宅村南侧暴露垃圾",
             "南侧空地有生活垃圾堆放。", 1),
            (T - 4.5 * HOUR, triage, "pF", "CX-HJ-01", staff),
            (T - 1 * HOUR, report, "pG", g, "CX-HJ-02", "靠山集村路口占道卖菜",
             "路口有菜贩占道经营，影响通行。", 1),
            # S8: done, evaluated, and the evaluation corrected (version 2).
            (T - 96 * HOUR, blow, "S8", "金海湖东岸夜间非法采砂", "ZY-KC-01", [("GHZY", "LEAD")],
             {"area": "JOINT_ENFORCEMENT", "kind": "ENFORCEMENT", "urgency": "URGENT"}),
            (T - 95.9 * HOUR, ack, "S8", "GHZY"),
            (T - 95.6 * HOUR, check_in, "S8", "GHZY"),
            (T - 95 * HOUR, outcome, "S8", "GHZY", "查扣采砂设备2套，已立案",
             {"inspections": 3, "cases_filed": 1, "fines_yuan": "30000", "items_removed": 2}),
            (T - 94.5 * HOUR, claim, "S8", "GHZY"),
            (T - 90 * HOUR, verify, "S8", "GHZY", cmd),
            (T - 72 * HOUR, evaluate, "S8", "GHZY", cmd, (3, 4, 3), "到场较慢"),
            (T - 48 * HOUR, evaluate, "S8", "GHZY", cmd, (5, 4, 4), "",
             "复核到场记录，到场时间在时限内，更正及时性评分"),
            # S12: an objection dismissed, then the work done and evaluated.
            (T - 120 * HOUR, blow, "S12", "海子村出租大院群租安全隐患", "AQ-XF-02", None,
             {"area": "JOINT_ENFORCEMENT", "kind": "ENFORCEMENT"}),
            (T - 119.8 * HOUR, ack, "S12", "XF"),
            (T - 119.7 * HOUR, ack, "S12", "ZJW"),
            (T - 119 * HOUR, object_, "S12", "GA", "ZJW", "群租房治理应由住建部门牵头，公安仅配合"),
            (T - 118 * HOUR, check_in, "S12", "XF"),
            (T - 117.9 * HOUR, check_in, "S12", "ZJW"),
            (T - 114 * HOUR, rule, "S12", "DISMISS",
             "权责清单已明确公安分局为配合部门，驳回异议，请继续配合处置"),
            (T - 113 * HOUR, ack, "S12", "GA"),
            (T - 112 * HOUR, check_in, "S12", "GA"),
            (T - 100 * HOUR, outcome, "S12", "XF", "排查隐患6处，督促整改", {"inspections": 6}),
            (T - 100 * HOUR, outcome, "S12", "ZJW", "约谈房东，拆除隔断4间", {"items_removed": 4}),
            (T - 100 * HOUR, outcome, "S12", "GA", "核查登记流动人口23人", {"inspections": 1}),
            (T - 99 * HOUR, claim, "S12", "XF"),
            (T - 99 * HOUR, claim, "S12", "ZJW"),
            (T - 99 * HOUR, claim, "S12", "GA"),
            (T - 80 * HOUR, verify, "S12", "XF", staff),
            (T - 80 * HOUR, verify, "S12", "ZJW", staff),
            (T - 80 * HOUR, verify, "S12", "GA", staff),
            (T - 70 * HOUR, evaluate, "S12", "XF", cmd, (5, 5, 5), "到场及时，处置彻底"),
            (T - 70 * HOUR, evaluate, "S12", "GA", cmd, (3, 3, 4), "提出异议后才到场"),
            # S11: an objection upheld: the summons is released and the utility takes over.
            (T - 72 * HOUR, blow, "S11", "海子村电动车充电线私拉乱接", "CX-SS-04",
             [("CGZF", "LEAD")], {}),
            (T - 70 * HOUR, object_, "S11", "CGZF", "GD",
             "私拉电线的整治属供电企业和属地职责，不属城管执法"),
            (T - 60 * HOUR, rule, "S11", "REASSIGN", "异议成立，改派供电公司", "GD"),
            (T - 59 * HOUR, ack, "S11", "GD"),
            (T - 58 * HOUR, check_in, "S11", "GD"),
            (T - 52 * HOUR, outcome, "S11", "GD", "拆除私拉线路3处，设置集中充电桩",
             {"items_removed": 3}),
            (T - 51 * HOUR, claim, "S11", "GD"),
            (T - 40 * HOUR, verify, "S11", "GD", staff),
            (T - 30 * HOUR, evaluate, "S11", "GD", staff, (4, 5, 5), "改派后响应迅速"),
            # S6: a ledger half cleared.
            (T - 72 * HOUR, blow, "S6", "金海湖沿岸违建清理账单", "CX-WJ-01",
             [("CGZF", "LEAD"), ("GHZY", "ASSIST")],
             {"mode": "LEDGER", "area": "JOINT_ENFORCEMENT", "kind": "ENFORCEMENT",
              "ledger_items": ["海子村码头彩钢房拆除", "上宅村河岸棚亭拆除",
                               "靠山集村违建材料清运", "沿岸围挡恢复"]}),
            (T - 71.8 * HOUR, ack, "S6", "CGZF"),
            (T - 71.7 * HOUR, ack, "S6", "GHZY"),
            (T - 71.5 * HOUR, check_in, "S6", "CGZF"),
            (T - 71.4 * HOUR, check_in, "S6", "GHZY"),
            (T - 40 * HOUR, clear, "S6", "CGZF", 2),
            (T - 40 * HOUR, outcome, "S6", "CGZF", "已拆除两处", {"items_removed": 2}),
            # S5: one department sent back to rework, the other waiting to be verified.
            (T - 50 * HOUR, blow, "S5", "海子村河滩堆放建筑垃圾", "SW-HD-01", None,
             {"problems": ["pA"]}),
            (T - 49.5 * HOUR, ack, "S5", "SW"),
            (T - 49 * HOUR, ack, "S5", "CGZF"),
            (T - 48 * HOUR, check_in, "S5", "SW"),
            (T - 47 * HOUR, check_in, "S5", "CGZF"),
            (T - 30 * HOUR, outcome, "S5", "SW", "清运建筑垃圾20立方米", {"items_removed": 20}),
            (T - 30 * HOUR, outcome, "S5", "CGZF", "查处倾倒车辆1辆",
             {"cases_filed": 1, "fines_yuan": "2000"}),
            (T - 29 * HOUR, claim, "S5", "SW"),
            (T - 29 * HOUR, claim, "S5", "CGZF"),
            (T - 20 * HOUR, verify, "S5", "SW", staff, False, "河滩仍有约5立方米未清运，请返工"),
            # S9: cancelled with a reason.
            (T - 30 * HOUR, blow, "S9", "靠山集村违规户外广告牌", "CX-HJ-03", None, {}),
            (T - 28 * HOUR, cancel, "S9", "经核实广告牌已由商户自行拆除，撤销吹哨"),
            # S4: one department claimed (to verify), the other still on site.
            (T - 26 * HOUR, blow, "S4", "上宅村无证照经营小餐馆", "SC-SP-01", None, {}),
            (T - 25.5 * HOUR, ack, "S4", "CGZF"),
            (T - 25 * HOUR, ack, "S4", "SCJG"),
            (T - 24 * HOUR, check_in, "S4", "CGZF"),
            (T - 23.5 * HOUR, check_in, "S4", "SCJG"),
            (T - 20 * HOUR, outcome, "S4", "SCJG", "责令停业，立案调查",
             {"inspections": 1, "cases_filed": 1}),
            (T - 19.5 * HOUR, claim, "S4", "SCJG"),
            (T - 10 * HOUR, outcome, "S4", "CGZF", "清理店外占道设施", {"items_removed": 2}),
            # S7: verified, closed, its problem solved; waiting for the evaluation.
            (T - 24 * HOUR, blow, "S7", "靠山集村路边暴露垃圾", "CX-HJ-01", None,
             {"problems": ["pB"]}),
            (T - 23.8 * HOUR, ack, "S7", "CGZF"),
            (T - 23.5 * HOUR, check_in, "S7", "CGZF"),
            (T - 22 * HOUR, outcome, "S7", "CGZF", "清运垃圾5立方米", {"items_removed": 5}),
            (T - 21.8 * HOUR, claim, "S7", "CGZF"),
            (T - 8 * HOUR, verify, "S7", "CGZF", cmd),
            # S10: a pending objection; the lead is late and escalated.
            (T - 20 * HOUR, blow, "S10", "海子村北侧山坡非法采金", "ZY-KC-01", None,
             {"area": "JOINT_ENFORCEMENT", "kind": "ENFORCEMENT", "urgency": "CRITICAL"}),
            (T - 19.8 * HOUR, ack, "S10", "GHZY"),
            (T - 19.7 * HOUR, ack, "S10", "GA"),
            (T - 19.5 * HOUR, check_in, "S10", "GHZY"),
            (T - 19 * HOUR, object_, "S10", "SW", "GHZY",
             "采金点位于山坡，不在河道管理范围内，不属水务职责"),
            # S14: a surprise operation launched this morning.
            (T - 8 * HOUR, blow, "S14", "金海湖景区门口黑车突击整治", "SC-JY-01",
             [("JT", "LEAD"), ("GA", "ASSIST"), ("CGZF", "ASSIST")],
             {"mode": "SURPRISE", "area": "JOINT_ENFORCEMENT", "kind": "ENFORCEMENT",
              "launch_at": T - 6 * HOUR, "meeting_point": "金海湖收费站出口"}),
            (T - 7.5 * HOUR, ack, "S14", "JT"),
            (T - 7.4 * HOUR, ack, "S14", "GA"),
            (T - 7.3 * HOUR, ack, "S14", "CGZF"),
            (T - 6 * HOUR, launch, "S14"),
            (T - 5.8 * HOUR, check_in, "S14", "JT"),
            (T - 5.7 * HOUR, check_in, "S14", "GA"),
            (T - 5.6 * HOUR, check_in, "S14", "CGZF"),
            (T - 4 * HOUR, outcome, "S14", "JT", "查扣非法营运车辆4辆",
             {"inspections": 12, "cases_filed": 4, "fines_yuan": "40000"}),
            (T - 4 * HOUR, outcome, "S14", "CGZF", "劝离揽客人员", {"inspections": 6}),
            (T - 3 * HOUR, claim, "S14", "JT"),
            # S2: nobody came; overdue, escalated, supervised.
            (T - 5 * HOUR, blow, "S2", "靠山集村早市占道经营", "CX-HJ-02", None,
             {"area": "JOINT_ENFORCEMENT", "kind": "ENFORCEMENT"}),
            (T - 4 * HOUR, sweep),
            (T - 3.5 * HOUR, supervise, "S2", "CGZF", "已超报到时限，请立即安排人员到场"),
            # S1: just issued; S3: acknowledged and on site; S13: sealed until tomorrow.
            (T - 3 * HOUR, blow, "S1", "上宅村南侧暴露垃圾", "CX-HJ-01", None,
             {"problems": ["pF"]}),
            (T - 2 * HOUR, blow, "S3", "黄草洼村私搭彩钢房", "CX-WJ-01", None,
             {"problems": ["pE"]}),
            (T - 1.8 * HOUR, ack, "S3", "CGZF"),
            (T - 1.7 * HOUR, ack, "S3", "GHZY"),
            (T - 1.2 * HOUR, check_in, "S3", "GHZY"),
            (T - 1 * HOUR, object_, "S3", "GHZY", "CGZF",
             "宅基地内私搭乱建由城管执法查处，规自分局仅出具认定意见"),
            (T - 2 * HOUR, blow, "S13", "金海湖上游夜间盗采金矿突击行动", "ZY-KC-01",
             [("GHZY", "LEAD"), ("GA", "ASSIST")],
             {"mode": "SURPRISE", "area": "JOINT_ENFORCEMENT", "kind": "ENFORCEMENT",
              "urgency": "URGENT", "launch_at": T + DAY, "meeting_point": "金海湖镇派出所院内"}),
            (T - 1 * HOUR, ack, "S13", "GHZY"),
        ]
        # fmt: on
        for t, fn, *args in script:
            kwargs = args.pop() if args and isinstance(args[-1], dict) else {}
            step(t, lambda t, fn=fn, args=args, kwargs=kwargs: fn(t, *args, **kwargs))


def _counts() -> dict:
    def by(model, field_name):
        return dict(
            model.objects.values_list(field_name).annotate(n=Count("pk")).order_by(field_name)
        )

    return {
        "jurisdictions": Jurisdiction.objects.count(),
        "departments": Department.objects.count(),
        "matters": Matter.objects.count(),
        "users": User.objects.count(),
        "problems": Problem.objects.count(),
        "problems_by_status": by(Problem, "status"),
        "whistles": Whistle.objects.count(),
        "whistles_by_mode": by(Whistle, "mode"),
        "whistles_by_status": by(Whistle, "status"),
        "summonses": Summons.objects.count(),
        "summonses_by_state": by(Summons, "state"),
        "overdue": Summons.objects.filter(escalated_at__isnull=False).count(),
        "evaluations": Evaluation.objects.count(),
        "objections_by_state": by(Objection, "state"),
        "campaigns": Campaign.objects.count(),
        "notifications": Notification.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
    }


def seed(*, now: dt.datetime, scale: float = 1.0, rng_seed: int = 2026, stdout=None) -> dict:
    """Build the district and simulate a year up to `now`. Expects an empty database."""
    sim = Sim(now=now, scale=scale, rng_seed=rng_seed, stdout=stdout)
    with transaction.atomic():
        # Every demo user has the same documented password: hash it once with the real hasher
        # below instead of ~90 times at ~0.4 s each while creating them.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            sim.build_org()
            sim.plan_campaigns()
            sim.plan_routines()
            first_day = (sim.start + DAY).astimezone(LOCAL_TZ)
            sim.at(first_day.replace(hour=0, minute=0, second=0, microsecond=0), sim.ev_day)
            sim.showcase()
            sim.at(now, sim.ev_sweep, True)
            sim.run()
        User.objects.filter(password__startswith="md5$").update(
            password=make_password(cast.PASSWORD)
        )
    counts = _counts()
    if stdout is not None:
        for key, value in counts.items():
            stdout.write(f"{key}: {value}")
    return counts
