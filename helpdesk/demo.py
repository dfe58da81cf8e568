"""Demo help requests in every state (some overdue) and a wish wall; invented people only."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.utils import timezone

from accounts.demo import demo_account, demo_committee_and_branches
from accounts.roles import DISPATCHERS, HELP_HANDLERS, NAMED_HELPERS
from helpdesk.models import HelpRequest
from helpdesk.services import requests as services
from helpdesk.services import wishes
from stations.models import Station

BRANCHES = ["防城港港顺物流有限公司党支部", "东兴边海运输有限公司党支部"]

# (token, category, urgent, days ago, steps, description, place); steps are
# (action, hours after receipt). Fake phones 1380000xxxx.
REQUESTS = [
    ("r01", "breakdown", True, 0.01, [], "半夜轮胎爆了，停在应急车道。", "G228 企沙路口"),
    ("r02", "social_insurance", False, 0.2, [], "想问灵活就业社保怎么续交。", ""),
    ("r03", "legal", False, 6, [("transfer-helper", 1)], "运费被拖欠三个月，想咨询怎么办。", ""),
    (
        "r04",
        "breakdown",
        False,
        1,
        [("transfer", 0.3), ("start", 0.5)],
        "刹车异响。",
        "港口区码头停车场",
    ),
    (
        "r05",
        "rest_rights",
        False,
        9,
        [("transfer", 1), ("start", 20), ("resolve", 50)],
        "连续跑车没有休息日，想了解权益。",
        "",
    ),
    (
        "r06",
        "breakdown",
        True,
        20,
        [("transfer", 0.2), ("start", 0.3), ("resolve", 0.5), ("follow-ok", 20)],
        "水箱漏水，车开不动。",
        "G219 东兴口岸货场",
    ),
    (
        "r07",
        "legal",
        False,
        30,
        [("transfer", 1), ("start", 24), ("resolve", 72), ("follow-not", 96)],
        "交通事故责任认定有疑问。",
        "",
    ),
    (
        "r08",
        "breakdown",
        False,
        45,
        [("transfer", 0.5), ("start", 1), ("resolve", 3), ("follow-ok", 30), ("close", 31)],
        "电瓶没电。",
        "防城区",
    ),
    (
        "r09",
        "legal",
        False,
        75,
        [("transfer", 2), ("start", 26), ("resolve", 80), ("follow-ok", 100), ("close", 101)],
        "劳动合同纠纷。",
        "",
    ),
    (
        "r10",
        "rescue",
        True,
        100,
        [("transfer", 0.1), ("start", 0.2), ("resolve", 0.6), ("follow-ok", 24), ("close", 25)],
        "车辆侧滑。",
        "江山半岛",
    ),
    ("r11", "other", False, 3, [("duplicate", 0.5)], "同一辆车的求助又发了一次。", "G228 企沙路口"),
    ("r12", "other", False, 4, [("reject", 1)], "咨询私人借贷纠纷。", ""),
    ("r13", "breakdown", False, 5, [("withdraw", 0.4)], "已经自己修好了。", "上思县"),
]

WISHES = [
    ("w1", "希望司机之家能多放几本道路安全的书。", "李", "G228", None),
    ("w2", "想给孩子买一套学习用的文具。", "黄", "G219", "fulfil"),
    ("w3", "冬天跑夜车，希望有一件厚一点的工作服。", "陈", "G228", "claim"),
    ("w4", "Mong có chỗ sạc điện thoại ở bãi đỗ xe cửa khẩu.", "", "G219", "open"),
    ("w5", "希望能学一下急救知识。", "", "", "open"),
]


@contextmanager
def clock(when):
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def seed(*, stdout):
    committee, branches = demo_committee_and_branches(BRANCHES)
    dispatcher = demo_account(
        username="demo_dispatcher", role=DISPATCHERS, organisations=[committee], stdout=stdout
    )
    # The first branch's help handler: the requests transferred there are theirs.
    handler = demo_account(
        username="demo_handler", role=HELP_HANDLERS, organisations=[branches[0]], stdout=stdout
    )
    # A named helper of the second branch: sees only what is passed to them by name.
    helper = demo_account(
        username="demo_helper", role=NAMED_HELPERS, organisations=[branches[1]], stdout=stdout
    )
    for user, mail in ((handler, "handler"), (helper, "helper"), (dispatcher, "dispatcher")):
        if not user.email:
            user.email = f"demo-{mail}@example.org"
            user.save(update_fields=["email"])
    stations = list(Station.objects.published()[:3])
    now = timezone.now()
    created = 0
    for index, (token, category, urgent, days, steps, text, place) in enumerate(REQUESTS):
        form_token = f"demo-help-{token}"
        if HelpRequest.objects.filter(form_token=form_token).exists():
            continue
        received = now - timedelta(days=days)
        station = stations[index % len(stations)] if stations and not place else None
        with clock(received):
            req, _ = services.help_request_submit(
                form_token=form_token,
                category=category,
                description=text,
                phone=f"1380000{index + 1:04d}",
                name="",
                station=station,
                location_text=place or ("" if station else "防城港市区"),
                urgent=urgent,
            )
        for action, hours in steps:
            with clock(received + timedelta(hours=hours)):
                _apply(action, req, dispatcher, committee, branches, helper)
        created += 1
    for token, text, surname, road, final in WISHES:
        form_token = f"demo-wish-{token}"
        wish, new = wishes.wish_submit(
            form_token=form_token, text=text, surname=surname, road=road, phone=""
        )
        if not new or final is None:
            continue
        wishes.wish_approve(wish=wish, actor=dispatcher)
        if final in ("claim", "fulfil"):
            wishes.wish_claim(wish=wish, actor=dispatcher, organisation=branches[0])
        if final == "fulfil":
            wishes.wish_fulfil(
                wish=wish,
                actor=dispatcher,
                thank_you="谢谢大家，孩子很开心！",
                thank_you_en="Thank you all, the child is so happy!",
                thank_you_vi="Cảm ơn mọi người, cháu vui lắm!",
            )
    stdout.write(f"Help requests: {created} demo request(s) added.")


def _apply(action, req, actor, committee, branches, helper):
    if action == "transfer":
        services.help_request_transfer(request=req, actor=actor, organisation=branches[0])
    elif action == "transfer-helper":
        services.help_request_transfer(request=req, actor=actor, helper=helper)
    elif action == "start":
        services.help_request_start(request=req, actor=actor, note="已联系司机。")
    elif action == "resolve":
        services.help_request_resolve(request=req, actor=actor, what_was_done="已安排处理完毕。")
    elif action == "follow-ok":
        services.help_request_follow_up(request=req, actor=actor, satisfied=True)
    elif action == "follow-not":
        services.help_request_follow_up(
            request=req, actor=actor, satisfied=False, note="司机表示问题没有完全解决。"
        )
    elif action == "close":
        services.help_request_close(request=req, actor=actor)
    elif action == "duplicate":
        original = HelpRequest.objects.get(form_token="demo-help-r01")  # noqa: S106
        services.help_request_mark_duplicate(
            request=req, actor=actor, original=original, reason="与 r01 为同一辆车。"
        )
    elif action == "reject":
        services.help_request_reject(request=req, actor=actor, reason="不属于本平台服务范围。")
    elif action == "withdraw":
        services.help_request_withdraw(request=req, actor=actor, reason="司机来电撤回。")
