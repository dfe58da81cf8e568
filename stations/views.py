from django.shortcuts import get_object_or_404, render

from .models import Station


def detail(request, slug):
    station = get_object_or_404(Station.objects.published(), slug=slug)
    return render(request, "stations/detail.html", {"station": station})
