from django.contrib import admin

from .models import Station


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "published"]
    list_filter = ["status", "published"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
