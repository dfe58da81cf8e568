from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import Crossing, CrossingNotice


class CrossingNoticeInline(TranslationTabularInline):
    model = CrossingNotice
    extra = 0
    fields = ["text", "posted_at", "posted_by"]
    readonly_fields = ["posted_by"]
    ordering = ["-posted_at"]


@admin.register(Crossing)
class CrossingAdmin(TranslationAdmin):
    """Every language of a crossing's texts in one form (Chinese required)."""

    list_display = ["name", "handles_people", "handles_freight", "opens", "closes", "published"]
    list_filter = ["published", "handles_freight"]
    search_fields = ["name_zh_hans", "name_en", "name_vi", "name_pinyin", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [CrossingNoticeInline]

    def save_formset(self, request, form, formset, change):
        for notice in formset.save(commit=False):
            if notice.posted_by_id is None:
                notice.posted_by = request.user
            notice.save()
        for notice in formset.deleted_objects:
            notice.delete()
