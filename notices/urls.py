from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("staff/notices/", views.preferences, name="preferences"),
]
