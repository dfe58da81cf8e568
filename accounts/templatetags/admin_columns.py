"""Import pages list the columns they read by label, in the page's language."""

from django import template

from portal.lib.importexport import column_label

register = template.Library()


@register.filter
def column_labels(names, opts):
    """Return ``names`` (column codes of the model ``opts`` describes) as labels."""
    return [column_label(opts.model, name) for name in names]
