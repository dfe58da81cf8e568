from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "open311"

urlpatterns = [
    path("open311/v2/services.<fmt:fmt>", views.services_list, name="services"),
    path("open311/v2/services/<str:code>.<fmt:fmt>", views.service_definition, name="definition"),
    path("open311/v2/requests.<fmt:fmt>", views.requests_endpoint, name="requests"),
    path("open311/v2/requests/<str:code>.<fmt:fmt>", views.request_detail, name="request"),
]
