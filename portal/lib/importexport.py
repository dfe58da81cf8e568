"""django-import-export with people's words: columns named by their labels, not codes."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from import_export.forms import SelectableFieldsExportForm


def column_label(model, name: str) -> str:
    """Return the label of column ``name`` of ``model``: the field's verbose name (or the
    related model's plural name), in the current language; ``name`` when there is none."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    label = getattr(field, "verbose_name", None)
    if label is None and getattr(field, "related_model", None) is not None:
        label = field.related_model._meta.verbose_name_plural
    return str(capfirst(label)) if label else name


class LabelledExportForm(SelectableFieldsExportForm):
    """The export form's column boxes by label ("名称"), not by code ("Name")."""

    def _get_field_label(self, resource, field_name: str) -> str:
        labelled = getattr(resource, "column_label", None)
        if labelled is not None:
            return str(labelled(field_name))
        field = resource.fields.get(field_name)
        attribute = field.attribute if field is not None and field.attribute else field_name
        return column_label(resource._meta.model, attribute)
