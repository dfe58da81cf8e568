from django.urls import path

from . import views

app_name = "crossings"

urlpatterns = [
    path("border/", views.crossing_list, name="list"),
    path("border/<slug:slug>/", views.crossing_detail, name="detail"),
    path("staff/border/<slug:slug>/notice/", views.notice_post, name="notice"),
]
