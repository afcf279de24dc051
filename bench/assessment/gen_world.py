"""The benchmark district's world: 朝阳区 with its 43 townships, communities and grids, about 60
departments, a published duty list of about 150 matters, and the users the records point at.
Written with the ORM (a few thousand rows); everything here is deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

DISTRICT_CODE, DISTRICT_NAME = "110105", "朝阳区"
DISTRICT_LAT, DISTRICT_LNG = 39.948, 116.486
PASSWORD = "shaobao-bench-2026"

# name, kind, weight (share of demands and whistles)
# fmt: off
TOWNSHIPS = [
    ("建外街道", "STREET", 1.2), ("朝外街道", "STREET", 0.9), ("呼家楼街道", "STREET", 1.1),
    ("三里屯街道", "STREET", 1.0), ("左家庄街道", "STREET", 1.0), ("香河园街道", "STREET", 0.9),
    ("和平街街道", "STREET", 1.1), ("安贞街道", "STREET", 1.0), ("亚运村街道", "STREET", 1.2),
    ("小关街道", "STREET", 0.9), ("酒仙桥街道", "STREET", 1.1), ("麦子店街道", "STREET", 0.8),
    ("团结湖街道", "STREET", 0.8), ("六里屯街道", "STREET", 1.0), ("八里庄街道", "STREET", 1.3),
    ("双井街道", "STREET", 1.3), ("劲松街道", "STREET", 1.4), ("潘家园街道", "STREET", 1.3),
    ("垡头街道", "STREET", 1.1), ("首都机场街道", "STREET", 0.5), ("大屯街道", "STREET", 1.2),
    ("望京街道", "STREET", 1.6), ("奥运村街道", "STREET", 1.3), ("东湖街道", "STREET", 1.0),
    ("南磨房地区", "TOWN", 1.2), ("高碑店地区", "TOWN", 1.0), ("将台地区", "TOWN", 0.8),
    ("太阳宫地区", "TOWN", 0.9), ("小红门地区", "TOWN", 0.9), ("十八里店地区", "TOWN", 1.2),
    ("平房地区", "TOWN", 1.0), ("东风地区", "TOWN", 0.7), ("来广营地区", "TOWN", 1.2),
    ("常营地区", "TOWN", 1.1), ("三间房地区", "TOWN", 0.9), ("管庄地区", "TOWN", 1.1),
    ("金盏地区", "TOWN", 0.8), ("孙河地区", "TOWN", 0.8), ("崔各庄地区", "TOWN", 0.9),
    ("东坝地区", "TOWN", 1.0), ("黑庄户地区", "TOWN", 0.7), ("豆各庄地区", "TOWN", 0.7),
    ("王四营地区", "TOWN", 0.6),
]

# code, full name, short name, kind
DEPARTMENTS = [
    ("FGW", "区发展和改革委员会", "发改委", "GOVERNMENT"),
    ("JW", "区教育委员会", "教委", "GOVERNMENT"),
    ("KXW", "区科学技术和信息化局", "科信局", "GOVERNMENT"),
    ("MZ", "区民政局", "民政局", "GOVERNMENT"),
    ("SF", "区司法局", "司法局", "GOVERNMENT"),
    ("CZ", "区财政局", "财政局", "GOVERNMENT"),
    ("RSJ", "区人力资源和社会保障局", "人社局", "GOVERNMENT"),
    ("GHZY", "区规划和自然资源分局", "规自分局", "GOVERNMENT"),
    ("STHJ", "区生态环境局", "生态环境局", "GOVERNMENT"),
    ("ZJW", "区住房和城乡建设委员会", "住建委", "GOVERNMENT"),
    ("FG", "区房屋管理局", "房管局", "GOVERNMENT"),
    ("CGW", "区城市管理委员会", "城管委", "GOVERNMENT"),
    ("JTW", "区交通委员会", "交通委", "GOVERNMENT"),
    ("SW", "区水务局", "水务局", "GOVERNMENT"),
    ("NYNC", "区农业农村局", "农业农村局", "GOVERNMENT"),
    ("SWJ", "区商务局", "商务局", "GOVERNMENT"),
    ("WLJ", "区文化和旅游局", "文旅局", "GOVERNMENT"),
    ("WJW", "区卫生健康委员会", "卫健委", "GOVERNMENT"),
    ("TYJ", "区体育局", "体育局", "GOVERNMENT"),
    ("TJJ", "区统计局", "统计局", "GOVERNMENT"),
    ("YJGL", "区应急管理局", "应急管理局", "GOVERNMENT"),
    ("SCJG", "区市场监督管理局", "市场监管局", "GOVERNMENT"),
    ("YLLH", "区园林绿化局", "园林绿化局", "GOVERNMENT"),
    ("GZW", "区国有资产监督管理委员会", "国资委", "GOVERNMENT"),
    ("ZWFW", "区政务服务管理局", "政务服务局", "GOVERNMENT"),
    ("YBJ", "区医疗保障局", "医保局", "GOVERNMENT"),
    ("TYJR", "区退役军人事务局", "退役军人局", "GOVERNMENT"),
    ("CGZF", "区城市管理综合行政执法局", "城管执法局", "GOVERNMENT"),
    ("GA", "区公安分局", "公安分局", "GOVERNMENT"),
    ("JJZD", "公安交通管理局朝阳交通支队", "交通支队", "GOVERNMENT"),
    ("XF", "区消防救援支队", "消防救援支队", "GOVERNMENT"),
    ("RF", "区人民防空办公室", "人防办", "GOVERNMENT"),
    ("XFB", "区信访办公室", "信访办", "GOVERNMENT"),
    ("MZZJ", "区民族宗教事务办公室", "民宗办", "GOVERNMENT"),
    ("CL", "区残疾人联合会", "残联", "GOVERNMENT"),
    ("FL", "区妇女联合会", "妇联", "GOVERNMENT"),
    ("GH", "区总工会", "总工会", "GOVERNMENT"),
    ("TAX", "国家税务总局北京市朝阳区税务局", "税务局", "GOVERNMENT"),
    ("JRB", "区金融服务办公室", "金融办", "GOVERNMENT"),
    ("TCJ", "区投资促进局", "投促局", "GOVERNMENT"),
    ("SJ", "区审计局", "审计局", "GOVERNMENT"),
    ("LLB", "区老龄工作委员会办公室", "老龄办", "GOVERNMENT"),
    ("JKZX", "区疾病预防控制中心", "疾控中心", "GOVERNMENT"),
    ("WSJD", "区卫生健康监督所", "卫生监督所", "GOVERNMENT"),
    ("QXJ", "区气象局", "气象局", "GOVERNMENT"),
    ("HWZX", "区环境卫生服务中心", "环卫中心", "GOVERNMENT"),
    ("ZJZ", "区建设工程质量监督站", "质监站", "GOVERNMENT"),
    ("WGZX", "区网格化服务管理中心", "网格中心", "GOVERNMENT"),
    ("GD", "国网北京朝阳供电公司", "朝阳供电公司", "ENTERPRISE"),
    ("ZLS", "北京市自来水集团朝阳分公司", "自来水朝阳分公司", "ENTERPRISE"),
    ("RQ", "北京市燃气集团朝阳分公司", "燃气朝阳分公司", "ENTERPRISE"),
    ("RL", "北京市热力集团朝阳分公司", "热力朝阳分公司", "ENTERPRISE"),
    ("PS", "北京城市排水集团朝阳分公司", "排水朝阳分公司", "ENTERPRISE"),
    ("YD", "中国移动北京朝阳分公司", "朝阳移动", "ENTERPRISE"),
    ("LT", "中国联通北京朝阳分公司", "朝阳联通", "ENTERPRISE"),
    ("DX", "中国电信北京朝阳分公司", "朝阳电信", "ENTERPRISE"),
    ("GHYX", "歌华有线朝阳分公司", "歌华有线", "ENTERPRISE"),
    ("GJ", "北京公交集团第三客运分公司", "公交三分公司", "ENTERPRISE"),
    ("DT", "北京市地铁运营有限公司", "地铁公司", "ENTERPRISE"),
    ("HW", "北京环境卫生工程集团朝阳分公司", "环卫集团朝阳分公司", "ENTERPRISE"),
]

# level1, level2, code prefix, lead, assists, tier, share dispatched to the township, matters
MATTER_GROUPS = [
    ("城乡建设", "违法建设", "CX-WJ", "CGZF", ["GHZY", "ZJW"], "WORKING_20D", 0.55,
     ["私搭乱建", "违法加层", "楼顶违建", "地下空间违规使用", "违建拆除后复建"]),
    ("城乡建设", "市容环境", "CX-SR", "CGZF", ["CGW"], "WORKING_4H", 0.55,
     ["占道经营", "流动摊贩", "露天烧烤", "违规户外广告", "乱贴乱画小广告"]),
    ("城乡建设", "环境卫生", "CX-HW", "HW", ["CGW", "HWZX"], "UTILITY_24H", 0.5,
     ["垃圾清运不及时", "垃圾分类投放", "暴露垃圾", "公厕脏乱", "渣土遗撒"]),
    ("城乡建设", "市政设施", "CX-SZ", "CGW", ["JTW"], "UTILITY_24H", 0.35,
     ["井盖缺失破损", "路灯不亮", "道路破损坑洼", "步道砖松动", "护栏损坏"]),
    ("城乡建设", "建筑施工", "CX-SG", "ZJW", ["CGZF", "STHJ"], "ORDINARY_7D", 0.2,
     ["夜间施工扰民", "施工扬尘", "施工围挡不规范", "施工安全隐患"]),
    ("城市运行", "供水", "YX-GS", "ZLS", ["SW"], "UTILITY_24H", 0.15,
     ["停水", "水压低", "水质浑浊", "供水管线漏水"]),
    ("城市运行", "供电", "YX-GD", "GD", ["FG"], "UTILITY_24H", 0.15,
     ["停电", "电压不稳", "电力线路老化", "电表故障"]),
    ("城市运行", "供气", "YX-GQ", "RQ", ["YJGL"], "EMERGENCY_2H", 0.1,
     ["燃气泄漏", "停气", "燃气表故障"]),
    ("城市运行", "供热", "YX-GR", "RL", ["FG", "CGW"], "UTILITY_24H", 0.3,
     ["室温不达标", "暖气不热", "暖气漏水", "供热收费争议"]),
    ("城市运行", "排水", "YX-PS", "PS", ["SW", "CGW"], "UTILITY_24H", 0.3,
     ["雨水井堵塞", "污水外溢", "下水道返味", "路面积水"]),
    ("城市运行", "通信", "YX-TX", "YD", ["LT", "DX", "GHYX"], "ORDINARY_7D", 0.1,
     ["手机信号差", "宽带故障", "通信线缆乱挂", "有线电视信号"]),
    ("住房物业", "物业服务", "WY-FW", "FG", ["ZJW"], "ORDINARY_7D", 0.7,
     ["物业服务质量差", "物业收费争议", "电梯故障", "楼道堆物", "小区停车管理", "门禁故障"]),
    ("住房物业", "房屋管理", "WY-FL", "FG", ["ZJW"], "COMPLEX_15D", 0.5,
     ["房屋漏雨", "外墙脱落", "老旧小区综合整治", "群租房", "房屋租赁纠纷"]),
    ("住房物业", "住房保障", "WY-BZ", "FG", ["ZJW"], "WORKING_20D", 0.2,
     ["保障房配租", "共有产权房", "棚改安置"]),
    ("交通出行", "道路交通", "JT-DL", "JJZD", ["JTW"], "WORKING_4H", 0.3,
     ["违章停车", "交通信号灯故障", "交通拥堵", "道路标志标线缺失"]),
    ("交通出行", "非机动车", "JT-FJ", "JTW", ["CGW"], "UTILITY_24H", 0.5,
     ["共享单车乱停放", "电动自行车违规", "非机动车道被占"]),
    ("交通出行", "公共交通", "JT-GJ", "GJ", ["JTW"], "ORDINARY_7D", 0.05,
     ["公交线路调整", "公交到站不准", "公交站台设施"]),
    ("交通出行", "轨道交通", "JT-GD", "DT", ["JTW"], "ORDINARY_7D", 0.05,
     ["地铁站出入口", "地铁服务", "地铁噪声"]),
    ("交通出行", "出租客运", "JT-CZ", "JTW", ["JJZD"], "ORDINARY_7D", 0.05,
     ["出租车拒载", "黑车非法营运", "网约车服务"]),
    ("交通出行", "停车管理", "JT-TC", "JTW", ["CGZF"], "ORDINARY_7D", 0.4,
     ["停车收费", "地锁私设", "僵尸车"]),
    ("生态环境", "大气污染", "HJ-DQ", "STHJ", ["CGZF"], "WORKING_4H", 0.35,
     ["露天焚烧", "餐饮油烟", "异味扰民", "裸露土地扬尘"]),
    ("生态环境", "噪声污染", "HJ-ZS", "STHJ", ["GA", "CGZF"], "ORDINARY_7D", 0.35,
     ["商业噪声", "设备噪声", "广场舞噪声", "装修噪声"]),
    ("生态环境", "水环境", "HJ-SH", "SW", ["STHJ"], "ORDINARY_7D", 0.2,
     ["河道污染", "非法排污", "水体黑臭"]),
    ("生态环境", "园林绿化", "HJ-LH", "YLLH", ["CGW"], "ORDINARY_7D", 0.4,
     ["树木修剪", "树木倒伏", "绿地养护", "毁绿占绿", "飞絮"]),
    ("市场监管", "食品安全", "SC-SP", "SCJG", ["WJW"], "ORDINARY_7D", 0.1,
     ["过期食品", "无证餐饮", "餐饮卫生", "外卖食品安全"]),
    ("市场监管", "消费维权", "SC-XF", "SCJG", ["SWJ"], "COMPLEX_15D", 0.05,
     ["预付卡退费", "商品质量", "价格欺诈", "虚假宣传", "网购纠纷"]),
    ("市场监管", "经营秩序", "SC-JY", "SCJG", ["CGZF"], "ORDINARY_7D", 0.2,
     ["无照经营", "特种设备安全", "计量器具"]),
    ("社会保障", "劳动就业", "SB-LD", "RSJ", ["GH"], "COMPLEX_15D", 0.1,
     ["拖欠工资", "劳动合同纠纷", "就业服务"]),
    ("社会保障", "社会保险", "SB-SB", "RSJ", ["YBJ"], "COMPLEX_15D", 0.1,
     ["社保缴纳", "养老金发放", "工伤认定"]),
    ("社会保障", "医疗保障", "SB-YB", "YBJ", ["WJW"], "COMPLEX_15D", 0.05,
     ["医保报销", "异地就医"]),
    ("社会保障", "社会救助", "SB-JZ", "MZ", ["CL"], "COMPLEX_15D", 0.5,
     ["低保申请", "临时救助", "困难家庭帮扶"]),
    ("社会保障", "养老服务", "SB-YL", "MZ", ["LLB", "WJW"], "ORDINARY_7D", 0.5,
     ["养老驿站", "老年助餐", "高龄津贴"]),
    ("社会保障", "残疾人服务", "SB-CJ", "CL", ["MZ"], "ORDINARY_7D", 0.4,
     ["残疾人证办理", "无障碍设施"]),
    ("教育文体", "教育", "JY-JY", "JW", [], "COMPLEX_15D", 0.05,
     ["入学入园", "校外培训", "校园周边安全", "教育收费"]),
    ("教育文体", "文化旅游", "JY-WL", "WLJ", [], "ORDINARY_7D", 0.2,
     ["网吧管理", "娱乐场所", "旅游投诉"]),
    ("教育文体", "体育", "JY-TY", "TYJ", [], "ORDINARY_7D", 0.4,
     ["健身器材损坏", "体育场馆开放"]),
    ("卫生健康", "医疗服务", "WS-YL", "WJW", [], "COMPLEX_15D", 0.05,
     ["医疗服务态度", "挂号难", "疫苗接种"]),
    ("卫生健康", "公共卫生", "WS-GW", "WJW", ["JKZX", "WSJD"], "ORDINARY_7D", 0.3,
     ["病媒生物防治", "无证行医", "公共场所卫生"]),
    ("公共安全", "消防安全", "AQ-XF", "XF", ["GA", "CGZF"], "EMERGENCY_2H", 0.35,
     ["消防通道堵塞", "消防设施损坏", "电动车楼道充电", "群租房消防隐患"]),
    ("公共安全", "治安管理", "AQ-ZA", "GA", [], "WORKING_4H", 0.2,
     ["治安隐患", "不文明养犬", "夜间噪声扰民"]),
    ("公共安全", "安全生产", "AQ-SC", "YJGL", ["SCJG", "XF"], "EMERGENCY_2H", 0.2,
     ["瓶装燃气违规使用", "危险化学品", "违规动火"]),
    ("公共安全", "应急管理", "AQ-YJ", "YJGL", ["QXJ"], "UTILITY_24H", 0.3,
     ["防汛隐患", "地下空间安全"]),
    ("政务服务", "政务服务", "ZW-FW", "ZWFW", [], "ORDINARY_7D", 0.1,
     ["办事难", "证照办理", "政务服务态度"]),
    ("政务服务", "户籍管理", "ZW-HJ", "GA", [], "ORDINARY_7D", 0.05,
     ["户口迁移", "居住证办理"]),
    ("政务服务", "税费", "ZW-SF", "TAX", ["CZ"], "COMPLEX_15D", 0.02,
     ["发票问题", "个税退税"]),
    ("农业农村", "农村管理", "NY-NC", "NYNC", ["GHZY"], "COMPLEX_15D", 0.6,
     ["农村集体资产", "宅基地纠纷", "农村环境整治", "违规大棚房"]),
]
# fmt: on

# Level-2 groups whose demand volume follows the season: month -> factor.
SEASONAL = {
    "YX-GR": {11: 4.0, 12: 5.0, 1: 5.0, 2: 4.0, 3: 2.0, 4: 0.2, 10: 0.6},
    "YX-PS": {6: 2.5, 7: 4.0, 8: 3.5, 9: 1.5},
    "HJ-ZS": {5: 1.4, 6: 1.6, 7: 1.8, 8: 1.8, 9: 1.4},
    "HJ-LH": {4: 2.5, 5: 2.5, 6: 1.5, 7: 1.5, 8: 1.3},
    "AQ-YJ": {6: 2.0, 7: 4.0, 8: 3.0},
    "JY-JY": {5: 2.0, 6: 2.0, 8: 2.0, 9: 2.5},
}
OTHER_SEASON_DEFAULT = {"YX-GR": 0.1}

COMMUNITY_STEMS = (
    "朝阳 光华 金台 团结 和平 安华 安慧 惠新 育慧 大屯 北辰 望京 花家地 南湖 利泽 方舟 慧谷 "
    "芍药居 樱花园 胜古 左家庄 柳芳 静安 三元 东湖 湖光 星源 将台 酒仙桥 驼房营 高家园 六里屯 "
    "十里堡 延静 红庙 甜水园 石佛营 炫特 朝阳路 八里庄 东坝 常营 管庄 双桥 杨闸 塔营 豆各庄 "
    "王四营 黑庄户 金盏 孙河 崔各庄 来广营 清河营 北苑 红军营 平房 姚家园 石各庄 东风 "
    "南磨房 双龙 百子湾 大郊亭 劲松 农光 潘家园 华威 松榆 武圣 垡头 翠城 双合 小红门 龙爪树 "
    "十八里店 周庄 吕家营 老君堂 高碑店 半壁店 西店 太阳宫 芍药 三里屯 幸福 中纺 麦子店 "
    "枣营 农展 团结湖 水碓 呼家楼 关东店 金台里 核桃园 建外 永安里 光辉 秀水 朝外 吉祥 工体"
).split()
COMMUNITY_SUFFIXES = [
    "北里",
    "南里",
    "东里",
    "西里",
    "家园",
    "花园",
    "小区",
    "苑",
    "路",
    "中街",
    "西社区",
    "东社区",
]


@dataclass
class Matter:
    id: int
    code: str
    name: str
    l1: str
    l2: str
    prefix: str
    tier: str
    lead: int  # department id
    assists: list[int]
    p_township: float


@dataclass
class Place:
    id: int
    code: str
    name: str
    lat: float
    lng: float


@dataclass
class Township(Place):
    kind: str = ""
    weight: float = 1.0
    communities: list[Place] = field(default_factory=list)
    grids: list[Place] = field(default_factory=list)
    grid_community: dict[int, Place] = field(default_factory=dict)
    commander: int = 0
    staff: list[int] = field(default_factory=list)


@dataclass
class World:
    district_id: int
    duty_list_id: int
    duty_list_version: int
    townships: list[Township]
    departments: dict[str, int]  # code -> id
    dept_names: dict[int, str]
    dept_kind: dict[int, str]
    matters: list[Matter]
    operators: list[int]
    dept_head: dict[int, int]  # department id -> dispatcher user id
    dept_officers: dict[int, list[int]]
    officer_names: dict[int, str]
    supervisor: int
    legal: list[int]
    admin: int


def _name(rng: random.Random) -> str:
    from gen_text import GIVEN, SURNAMES

    return (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    )


def build_world(*, seed: int, year: int, log) -> World:
    """Create the org tree, departments, matters, the duty list and users with the ORM."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from shaobao.duties.models import Duty, DutyList
    from shaobao.duties.models import Matter as MatterModel
    from shaobao.org import roles as R
    from shaobao.org.models import Department, Jurisdiction, Membership, User

    rng = random.Random(seed * 7919 + 1)
    tz = dt.timezone(dt.timedelta(hours=8))
    created = dt.datetime(year - 1, 11, 20, 9, 0, tzinfo=tz)

    with transaction.atomic():
        district = Jurisdiction.objects.create(
            code=DISTRICT_CODE,
            name=DISTRICT_NAME,
            level=Jurisdiction.DISTRICT,
            lat=DISTRICT_LAT,
            lng=DISTRICT_LNG,
        )
        townships: list[Township] = []
        n_street = n_town = 0
        for name, kind, weight in TOWNSHIPS:
            if kind == "STREET":
                n_street += 1
                code = f"{DISTRICT_CODE}{n_street:03d}"
            else:
                n_town += 1
                code = f"{DISTRICT_CODE}{200 + n_town:03d}"
            lat = 39.83 + rng.random() * 0.24
            lng = 116.40 + rng.random() * 0.26
            j = Jurisdiction.objects.create(
                code=code,
                name=name,
                level=Jurisdiction.TOWNSHIP,
                kind=kind,
                parent=district,
                lat=round(lat, 5),
                lng=round(lng, 5),
            )
            townships.append(Township(j.id, code, name, lat, lng, kind=kind, weight=weight))

        # Communities and grids: created with bulk_create, ids read back by code.
        comm_rows, grid_rows = [], []
        for t in townships:
            stems = rng.sample(COMMUNITY_STEMS, 14)
            n_comm = rng.randint(9, 14) if t.kind == "STREET" else rng.randint(8, 13)
            used = set()
            for k in range(1, n_comm + 1):
                while True:
                    if t.kind == "TOWN" and rng.random() < 0.3:
                        cname = rng.choice(stems) + "村"
                    else:
                        suffix = rng.choice(COMMUNITY_SUFFIXES)
                        cname = rng.choice(stems) + suffix + ("" if "社区" in suffix else "社区")
                    if cname not in used:
                        used.add(cname)
                        break
                ccode = f"{t.code}{k:03d}"
                clat = t.lat + rng.uniform(-0.012, 0.012)
                clng = t.lng + rng.uniform(-0.015, 0.015)
                comm_rows.append((t, ccode, cname, clat, clng))
                for g in range(1, rng.randint(4, 9) + 1):
                    grid_rows.append(
                        (
                            t,
                            ccode,
                            f"{ccode}{g:03d}",
                            f"{cname}第{g}网格",
                            clat + rng.uniform(-0.003, 0.003),
                            clng + rng.uniform(-0.003, 0.003),
                        )
                    )
        tid = {t.code: t.id for t in townships}
        Jurisdiction.objects.bulk_create(
            [
                Jurisdiction(
                    code=c,
                    name=n,
                    level=Jurisdiction.COMMUNITY,
                    parent_id=tid[t.code],
                    lat=round(la, 5),
                    lng=round(ln, 5),
                )
                for t, c, n, la, ln in comm_rows
            ],
            batch_size=1000,
        )
        cid = dict(
            Jurisdiction.objects.filter(level=Jurisdiction.COMMUNITY).values_list("code", "id")
        )
        comm_place = {}
        for t, c, n, la, ln in comm_rows:
            p = Place(cid[c], c, n, la, ln)
            comm_place[c] = p
            t.communities.append(p)
        Jurisdiction.objects.bulk_create(
            [
                Jurisdiction(
                    code=g,
                    name=n,
                    level=Jurisdiction.GRID,
                    parent_id=cid[c],
                    lat=round(la, 5),
                    lng=round(ln, 5),
                )
                for t, c, g, n, la, ln in grid_rows
            ],
            batch_size=2000,
        )
        gid = dict(Jurisdiction.objects.filter(level=Jurisdiction.GRID).values_list("code", "id"))
        for t, c, g, n, la, ln in grid_rows:
            p = Place(gid[g], g, n, la, ln)
            t.grids.append(p)
            t.grid_community[p.id] = comm_place[c]

        Department.objects.bulk_create(
            [
                Department(
                    code=f"CY-{code}", name=name, short_name=short, kind=kind, district=district
                )
                for code, name, short, kind in DEPARTMENTS
            ]
        )
        depts = {
            c[3:]: i
            for c, i in Department.objects.filter(district=district).values_list("code", "id")
        }
        dept_names = {depts[c]: short for c, _n, short, _k in DEPARTMENTS}
        dept_kind = {depts[c]: k for c, _n, _s, k in DEPARTMENTS}

        matter_rows = []
        for l1, l2, prefix, lead, assists, tier, p_town, names in MATTER_GROUPS:
            for k, name in enumerate(names, start=1):
                matter_rows.append(
                    (f"{prefix}-{k:02d}", l1, l2, name, tier, prefix, lead, assists, p_town)
                )
        MatterModel.objects.bulk_create(
            [
                MatterModel(
                    code=code,
                    level1=l1,
                    level2=l2,
                    name=name,
                    tier=tier,
                    closing_condition=f"{name}问题消除，群众认可",
                    keywords=f"{l2} {name}",
                )
                for code, l1, l2, name, tier, *_ in matter_rows
            ]
        )
        mid = dict(MatterModel.objects.values_list("code", "id"))
        matters = [
            Matter(
                mid[code],
                code,
                name,
                l1,
                l2,
                prefix,
                tier,
                depts[lead],
                [depts[a] for a in assists],
                p_town,
            )
            for code, l1, l2, name, tier, prefix, lead, assists, p_town in matter_rows
        ]
        duty_list = DutyList.objects.create(
            district=district,
            version=1,
            status=DutyList.PUBLISHED,
            active_from=created + dt.timedelta(days=10),
            note="朝阳区街乡吹哨、部门报到权责清单（基准测试）",
            created_at=created,
            published_at=created + dt.timedelta(days=10),
        )
        Duty.objects.bulk_create(
            [
                Duty(
                    duty_list=duty_list,
                    matter_id=m.id,
                    lead_department_id=m.lead,
                    law="《北京市接诉即办工作条例》",
                    article="第十二条",
                    community_role="LEAD" if m.p_township >= 0.5 else "ASSIST",
                )
                for m in matters
            ]
        )
        duty_ids = dict(Duty.objects.filter(duty_list=duty_list).values_list("matter_id", "id"))
        through = Duty.assist_departments.through
        through.objects.bulk_create(
            [through(duty_id=duty_ids[m.id], department_id=a) for m in matters for a in m.assists]
        )

        # Users: one precomputed hash for all, so that every one of them can log in.
        pw = make_password(PASSWORD)
        users: list[tuple[str, str]] = []  # username, display name
        grants: list[tuple[str, str, int | None, int | None]] = []  # username, role, juris, dept

        def add(username, role, juris=None, dept=None):
            users.append((username, _name(rng)))
            grants.append((username, role, juris, dept))

        add("bench_admin", R.ADMIN, juris=district.id)
        add("bench_supervisor", R.DISTRICT_SUPERVISOR, juris=district.id)
        add("bench_assessor", R.ASSESSOR, juris=district.id)
        add("bench_inspector", R.INSPECTOR, juris=district.id)
        for k in range(1, 4):
            add(f"bench_legal{k}", R.LEGAL_OFFICER, juris=district.id)
        for k in range(1, 21):
            add(f"bench_op{k:02d}", R.OPERATOR, juris=district.id)
        for t in townships:
            add(f"t{t.code}_cmd", R.TOWNSHIP_COMMANDER, juris=t.id)
            for k in range(1, 3):
                add(f"t{t.code}_staff{k}", R.TOWNSHIP_STAFF, juris=t.id)
            add(f"t{t.code}_grid", R.GRID_WORKER, juris=t.grids[0].id)
        for code, _n, _s, _k in DEPARTMENTS:
            add(f"d{code.lower()}_head", R.DEPARTMENT_DISPATCHER, dept=depts[code])
            for k in range(1, 4):
                add(f"d{code.lower()}_off{k}", R.DEPARTMENT_OFFICER, dept=depts[code])
        User.objects.bulk_create(
            [
                User(
                    username=u,
                    display_name=n,
                    password=pw,
                    is_staff=u == "bench_admin",
                    date_joined=created,
                )
                for u, n in users
            ]
        )
        uid = dict(User.objects.values_list("username", "id"))
        Membership.objects.bulk_create(
            [
                Membership(user_id=uid[u], role=r, jurisdiction_id=j, department_id=d)
                for u, r, j, d in grants
            ]
        )
        names = dict(users)
        for t in townships:
            t.commander = uid[f"t{t.code}_cmd"]
            t.staff = [uid[f"t{t.code}_staff{k}"] for k in range(1, 3)]
        world = World(
            district_id=district.id,
            duty_list_id=duty_list.id,
            duty_list_version=duty_list.version,
            townships=townships,
            departments=depts,
            dept_names=dept_names,
            dept_kind=dept_kind,
            matters=matters,
            operators=[uid[f"bench_op{k:02d}"] for k in range(1, 21)],
            dept_head={depts[c]: uid[f"d{c.lower()}_head"] for c, *_ in DEPARTMENTS},
            dept_officers={
                depts[c]: [uid[f"d{c.lower()}_off{k}"] for k in range(1, 4)]
                for c, *_ in DEPARTMENTS
            },
            officer_names={
                uid[f"d{c.lower()}_off{k}"]: names[f"d{c.lower()}_off{k}"]
                for c, *_ in DEPARTMENTS
                for k in range(1, 4)
            },
            supervisor=uid["bench_supervisor"],
            legal=[uid[f"bench_legal{k}"] for k in range(1, 4)],
            admin=uid["bench_admin"],
        )
    log(
        f"world: 1 district, {len(townships)} townships, {len(comm_rows)} communities, "
        f"{len(grid_rows)} grids, {len(depts)} departments, {len(matters)} matters, "
        f"{len(users)} users"
    )
    return world
