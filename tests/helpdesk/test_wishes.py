"""Micro-wishes: submission, review before showing, masked wisher, claim and fulfil."""

import pytest
from django.urls import reverse

from helpdesk.forms.wishes import WishForm
from helpdesk.models import Wish
from helpdesk.services import wishes as services
from helpdesk.services.requests import IllegalTransition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_forms")]


def wish_data(**overrides):
    data = {
        "token": WishForm.new_token(),
        "text": "想要一本好书",
        "surname": "王",
        "road": "G228",
        "phone": "13800005555",
        "website": "",
    }
    data.update(overrides)
    return data


def test_wish_waits_for_review_then_shows_masked(client, dispatcher):
    data = wish_data()
    assert client.post(reverse("helpdesk:wishes"), data).status_code == 302
    assert client.post(reverse("helpdesk:wishes"), data).status_code == 302
    wish = Wish.objects.get()
    assert wish.phone == "13800005555"
    html = client.get(reverse("helpdesk:wishes")).content.decode()
    assert "想要一本好书" not in html
    services.wish_approve(wish=wish, actor=dispatcher)
    html = client.get(reverse("helpdesk:wishes")).content.decode()
    assert "想要一本好书" in html
    assert "13800005555" not in html and "5555" not in html
    assert "G228" in html


def test_wish_wall_masks_digits_typed_into_the_text(dispatcher):
    wish, _ = services.wish_submit(form_token="t1", text="call me 138 0000 5555 please")
    assert "5555" not in wish.public_text


def test_wish_states_open_claimed_fulfilled(dispatcher, branch_a):
    wish, _ = services.wish_submit(form_token="t2", text="shoes")
    with pytest.raises(IllegalTransition):
        services.wish_claim(wish=wish, actor=dispatcher, organisation=branch_a)
    services.wish_approve(wish=wish, actor=dispatcher)
    with pytest.raises(IllegalTransition):
        services.wish_approve(wish=wish, actor=dispatcher)
    with pytest.raises(IllegalTransition):
        services.wish_fulfil(wish=wish, actor=dispatcher, thank_you="thanks")
    with pytest.raises(IllegalTransition):
        services.wish_claim(wish=wish, actor=dispatcher)
    services.wish_claim(wish=wish, actor=dispatcher, volunteer="小张")
    with pytest.raises(IllegalTransition):
        services.wish_fulfil(wish=wish, actor=dispatcher, thank_you=" ")
    wish = services.wish_fulfil(wish=wish, actor=dispatcher, thank_you="谢谢")
    assert wish.state == Wish.State.FULFILLED


def test_wish_rejected_never_shown(client, dispatcher):
    wish, _ = services.wish_submit(form_token="t3", text="SPAMWISH")
    services.wish_reject(wish=wish, actor=dispatcher)
    assert "SPAMWISH" not in client.get(reverse("helpdesk:wishes")).content.decode()


def test_wish_staff_page_access(client, dispatcher, officer_a):
    wish, _ = services.wish_submit(form_token="t4", text="x", phone="13800005555")
    url = reverse("helpdesk:staff-wishes")
    client.force_login(officer_a)
    assert (
        client.post(reverse("helpdesk:staff-wish-action", args=[wish.pk, "approve"])).status_code
        == 404
    )
    client.force_login(dispatcher)
    html = client.get(url).content.decode()
    assert "138****5555" in html and "13800005555" not in html
    client.post(reverse("helpdesk:staff-wish-action", args=[wish.pk, "approve"]))
    wish.refresh_from_db()
    assert wish.approved_at is not None


def test_wish_honeypot_and_bad_phone(client):
    client.post(reverse("helpdesk:wishes"), wish_data(website="x"))
    response = client.post(reverse("helpdesk:wishes"), wish_data(phone="12345"))
    assert response.status_code == 200
    assert Wish.objects.count() == 0


def test_wish_page_param_garbage(client):
    assert client.get(reverse("helpdesk:wishes"), {"page": "\x00"}).status_code == 200


@pytest.mark.parametrize("org", ["²", "\x00", "-1", "99999999999999999999999", "abc"])
def test_wish_claim_with_bad_organisation_is_refused(client, dispatcher, org):
    wish, _ = services.wish_submit(form_token="t5", text="x")
    services.wish_approve(wish=wish, actor=dispatcher)
    client.force_login(dispatcher)
    response = client.post(
        reverse("helpdesk:staff-wish-action", args=[wish.pk, "claim"]),
        {"organisation": org, "volunteer": ""},
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.state == Wish.State.OPEN


def test_wish_claim_by_organisation(client, dispatcher, branch_a):
    wish, _ = services.wish_submit(form_token="t6", text="x")
    services.wish_approve(wish=wish, actor=dispatcher)
    client.force_login(dispatcher)
    client.post(
        reverse("helpdesk:staff-wish-action", args=[wish.pk, "claim"]),
        {"organisation": str(branch_a.pk), "volunteer": ""},
    )
    wish.refresh_from_db()
    assert wish.claimed_by_organisation == branch_a


def test_wish_wall_query_count(client, dispatcher, branch_a, django_assert_num_queries):
    for index in range(5):
        wish, _ = services.wish_submit(form_token=f"q{index}", text="x")
        services.wish_approve(wish=wish, actor=dispatcher)
        services.wish_claim(wish=wish, actor=dispatcher, organisation=branch_a)
    with django_assert_num_queries(2):
        client.get(reverse("helpdesk:wishes"))


def test_thank_you_note_in_the_language_of_the_wall_with_a_marked_fallback(client, dispatcher):
    from django.utils import translation

    done = []
    for token, extra in (("tv1", {"thank_you_vi": "Cảm ơn nhiều!"}), ("tv2", {})):
        wish, _ = services.wish_submit(form_token=token, text="shoes")
        services.wish_approve(wish=wish, actor=dispatcher)
        services.wish_claim(wish=wish, actor=dispatcher, volunteer="小张")
        # Fulfilled from an English staff page: the note typed is still the Chinese one.
        with translation.override("en"):
            done.append(
                services.wish_fulfil(wish=wish, actor=dispatcher, thank_you="谢谢", **extra)
            )
    assert (done[1].thank_you_zh_hans, done[1].thank_you_en) == ("谢谢", "")
    with translation.override("vi"):
        url = reverse("helpdesk:wishes")
    html = client.get(url).content.decode()
    assert "“Cảm ơn nhiều!”" in html
    assert '“<span lang="zh-Hans">谢谢</span>”' in html
