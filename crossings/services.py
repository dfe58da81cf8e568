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
    for field, value in texts.items():
        setattr(notice, field, value.strip())
    notice.text = notice.text_zh_hans
    notice.full_clean()
    notice.save()
    return notice
