"""The SMS provider's callback: outside the language prefixes, it is no page for people."""

from django.urls import path

from . import views

app_name = "notices-callbacks"

urlpatterns = [
    path("notices/sms/replies/<str:token>", views.sms_uplink, name="sms-uplink"),
]
