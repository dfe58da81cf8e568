from django.db import transaction
from django.utils import timezone

from .models import Crossing, CrossingNotice


@transaction.atomic
def crossing_notice_post(
    *, crossing: Crossing, texts: dict[str, str], user, now=None
) -> CrossingNotice:
    """Post a status notice.

    ``texts`` maps ``text_zh_hans`` (required), ``text_en`` and ``text_vi`` (optional).
    """
    notice = CrossingNotice(crossing=crossing, posted_by=user, posted_at=now or timezone.now())
    # Through the original field first (modeltranslation writes the page language's column),
    # then every language into its own column: an empty one stays empty, never the Chinese.
    notice.text = texts["text_zh_hans"].strip()
    for field, value in texts.items():
        setattr(notice, field, (value or "").strip())
    notice.full_clean()
    notice.save()
    return notice
