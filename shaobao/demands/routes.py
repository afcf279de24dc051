"""The six statutory routes that close a demand without dispatch (《北京市接诉即办工作条例》
Art. 11), each with the reply the caller is given. Replies are defaults; the operator may adapt."""

from django.utils.translation import gettext_lazy as _

EMERGENCY = "EMERGENCY"
OTHER_CHANNEL = "OTHER_CHANNEL"
REPEAT = "REPEAT"
SECRET_OR_PRIVACY = "SECRET_OR_PRIVACY"
OUTSIDE_REMIT = "OUTSIDE_REMIT"
UNLAWFUL = "UNLAWFUL"

ROUTES = [
    (EMERGENCY, _("紧急警情，转110/119/120/122")),
    (OTHER_CHANNEL, _("诉讼、仲裁、纪检监察、行政复议、政府信息公开、信访等，告知渠道")),
    (REPEAT, _("重复诉求且无新情况，告知办理进展")),
    (SECRET_OR_PRIVACY, _("涉及国家秘密、商业秘密或个人隐私，作出解释")),
    (OUTSIDE_REMIT, _("不属于公共管理和服务范围，引导通过市场或社会渠道解决")),
    (UNLAWFUL, _("违反法律法规或公序良俗，予以劝阻")),
]

REPLIES = {
    EMERGENCY: _("您反映的情况属于紧急警情，已为您转接相关紧急服务电话，请保持电话畅通。"),
    OTHER_CHANNEL: _("您反映的事项依法应通过专门渠道办理，我们已告知您具体的办理途径。"),
    REPEAT: _("您反映的问题此前已受理，正在办理中；我们已告知您目前的办理进展。"),
    SECRET_OR_PRIVACY: _(
        "您反映的事项涉及国家秘密、商业秘密或个人隐私，依法不能派单办理，特此说明。"
    ),
    OUTSIDE_REMIT: _("您反映的事项不属于政府公共管理和服务范围，建议通过市场或社会渠道解决。"),
    UNLAWFUL: _("您的诉求违反法律法规或公序良俗，依法不予办理，请您理解。"),
}
