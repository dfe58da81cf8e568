from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("stations/<slug:slug>/", views.detail, name="detail"),
]
