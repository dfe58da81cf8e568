"""The admin's search-as-you-type pickers, with a fuller line where an admin offers one."""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Label each result with the model admin's ``autocomplete_label(obj)`` when it has one
    (people: name, organisation and masked phone, so namesakes can be told apart)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result
