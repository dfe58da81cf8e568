from django.urls import path

from . import views

app_name = "accounts"

# The password step is served at the admin's own address (portal/urls.py), so every
# "sign in" link and redirect leads to the same two-step sign-in.
urlpatterns = [
    path("staff/", views.staff_home, name="home"),
    path("staff/account/", views.account, name="account"),
    path("staff/account/code/", views.verify, name="verify"),
    path("staff/account/two-factor/", views.enrol, name="enrol"),
    path("staff/account/two-factor/offer/", views.offer, name="offer"),
    path("staff/account/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("staff/account/sign-out/", views.sign_out, name="sign-out"),
    path("staff/account/sessions/<int:pk>/end/", views.session_end, name="session-end"),
    path("staff/account/sessions/end-others/", views.sessions_end_others, name="sessions-end"),
    path("staff/access-review/", views.access_review, name="access-review"),
]
