"""Plain text written by staff: refuse markup on the way in, render it safely on the way out.

Staff write notices as plain text: paragraphs separated by an empty line, web addresses that
become links. Anything that looks like HTML is refused with a form error (so nobody is
surprised by text that vanishes), and the rendered HTML still goes through nh3, so even a row
written around the forms cannot put markup on a public page.
"""

import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# A tag, a closing tag, a comment or a processing instruction: "<b", "</p", "<!--", "<?".
MARKUP = re.compile(r"<\s*[/!?]?\s*[A-Za-z!?]")
# C0 controls other than tab and the line breaks, and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

ALLOWED_TAGS = {"p", "br", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


def validate_plain_text(value: str) -> None:
    """Refuse HTML markup and control characters in staff-written plain text."""
    if MARKUP.search(value or ""):
        raise ValidationError(
            _("Please write plain text: HTML tags such as <script> or <b> are not allowed."),
            code="markup",
        )
    if CONTROL.search(value or ""):
        raise ValidationError(_("The text contains invisible control characters."), code="control")


def render_plain_text(value: str) -> SafeString:
    """Return ``value`` as sanitised HTML paragraphs with its web addresses linked."""
    if not value:
        return mark_safe("")  # noqa: S308 - an empty string
    html = linebreaks(urlize(value.replace("\r\n", "\n"), nofollow=False, autoescape=True))
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
