"""portal.lib.forms: the bot checks every public form inherits."""

import time

import pytest
from django import forms
from django.core import signing

from portal.lib.forms import TOKEN_MAX_AGE, BotCheckedForm


class NoteForm(BotCheckedForm):
    note = forms.CharField()


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.HELP_MIN_FILL_SECONDS = 0


def _data(**overrides):
    return {"token": NoteForm.new_token(), "website": "", "note": "hello", **overrides}


def test_unbound_form_renders_a_fresh_token_each_time():
    first, second = NoteForm().initial["token"], NoteForm().initial["token"]
    assert first != second
    assert signing.loads(first, salt=NoteForm.token_salt)["n"]


def test_valid_post_gives_the_nonce():
    data = _data()
    form = NoteForm(data)
    assert form.is_valid(), form.errors
    nonce = signing.loads(data["token"], salt=NoteForm.token_salt)["n"]
    assert form.cleaned_data["token"] == nonce


def test_the_same_post_twice_gives_the_same_nonce():
    data = _data()
    first, second = NoteForm(data), NoteForm(data)
    assert first.is_valid() and second.is_valid()
    assert first.cleaned_data["token"] == second.cleaned_data["token"]


def test_filled_honeypot_is_refused():
    form = NoteForm(_data(website="http://spam.example"))
    assert not form.is_valid()
    assert "website" in form.errors


@pytest.mark.parametrize(
    "token",
    [
        "abc:def",
        "",
        signing.dumps({"n": "x", "t": 0}, salt="another.salt"),
        signing.dumps(["not", "a", "dict"], salt=BotCheckedForm.token_salt),
        signing.dumps({"n": 1, "t": 0}, salt=BotCheckedForm.token_salt),
    ],
)
def test_forged_or_malformed_tokens_are_refused_and_replaced(token):
    form = NoteForm(_data(token=token))
    assert not form.is_valid()
    assert "token" in form.errors
    # The next rendering carries a working token, so sending again succeeds.
    if token:
        assert form.data["token"] != token
        assert NoteForm({**form.data}).is_valid()


def test_expired_token_is_refused(monkeypatch):
    token = NoteForm.new_token()
    later = time.time() + TOKEN_MAX_AGE + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert "token" in NoteForm(_data(token=token)).errors


def test_a_form_sent_too_fast_is_refused(settings):
    settings.HELP_MIN_FILL_SECONDS = 60
    form = NoteForm(_data())
    assert not form.is_valid()
    assert "token" in form.errors
