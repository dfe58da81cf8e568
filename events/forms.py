"""Forms for the organizers' event and visit pages, and the public kind filter."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.permissions import covered_organisation_ids
from events.models import Event, Visit
from members.models import Person
from portal.lib.images import process_image
from portal.lib.timezone import local_tz_name
from portal.lib.translated import TranslatedFieldsFormMixin
from stations.models import Station

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_PHOTOS = 6


def organisations_for(user):
    """Organisations ``user`` may organise for: their own and the ones below."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=covered_organisation_ids(user))


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Event.Kind.choices],
        required=False,
    )


class EventForm(TranslatedFieldsFormMixin, forms.ModelForm):
    """The event, its Chinese texts required and their English and Vietnamese beside them."""

    translated_fields = ("title", "description", "status_note")
    cover_upload = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "title_en",
            "title_vi",
            "description",
            "description_en",
            "description_vi",
            "starts_at",
            "ends_at",
            "station",
            "place",
            "organisation",
            "capacity",
            "status",
            "status_note",
            "status_note_en",
            "status_note_vi",
            "published",
        ]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "description": forms.Textarea(attrs={"rows": 8}),
            "description_en": forms.Textarea(attrs={"rows": 4, "lang": "en"}),
            "description_vi": forms.Textarea(attrs={"rows": 4, "lang": "vi"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = organisations_for(user)
        self.fields["organisation"].queryset = organisations
        if not self.instance.pk:
            own = user.organisations.filter(pk__in=organisations.values("pk")).first()
            if own is not None:
                self.initial.setdefault("organisation", own.pk)
        self.fields["station"].queryset = Station.objects.published()
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            self.fields[name].help_text = _("Local time (%(time_zone)s)") % {
                "time_zone": local_tz_name()
            }

    def clean_cover_upload(self):
        upload = self.cleaned_data.get("cover_upload")
        if not upload:
            return None
        return process_image(upload)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The end must not be before the start."))
        if not cleaned.get("station") and not (cleaned.get("place") or "").strip():
            self.add_error("place", _("Choose a station or write where it takes place."))
        status = cleaned.get("status")
        if status and status != Event.Status.SCHEDULED and not cleaned.get("status_note"):
            self.add_error("status_note", _("Say why, and what happens instead."))
        return cleaned


class EventCancelForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to everyone with the notice."),
    )

    def clean_note(self):
        from portal.lib.text import validate_plain_text

        note = self.cleaned_data["note"]
        validate_plain_text(note)
        return note


class EventPostponeForm(forms.Form):
    """The new date of a postponed event, or "to be announced", and why."""

    starts_at = forms.DateTimeField(
        label=_("New start"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("New end"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Empty: the event keeps its length."),
    )
    to_be_announced = forms.BooleanField(
        label=_("The new date is not known yet: it will be announced"), required=False
    )
    note = forms.CharField(
        label=_("Why is it postponed?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to everyone with the notice."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = " ".join(
                str(text)
                for text in (
                    self.fields[name].help_text,
                    _("Local time (%(time_zone)s)") % {"time_zone": local_tz_name()},
                )
                if text
            )

    def clean_note(self):
        from portal.lib.text import validate_plain_text

        note = self.cleaned_data["note"]
        validate_plain_text(note)
        return note

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if cleaned.get("to_be_announced"):
            cleaned["starts_at"] = cleaned["ends_at"] = None
        elif not starts and "starts_at" not in self.errors:
            self.add_error("starts_at", _("Give the new date, or tick “to be announced”."))
        elif starts and ends and ends < starts:
            self.add_error("ends_at", _("The end must not be before the start."))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several image uploads, each checked and re-encoded by portal.lib.images."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("At most %(count)s photos at a time.") % {"count": MAX_PHOTOS}, code="too_many"
            )
        processed = []
        for upload in files:
            single = super().clean(upload, initial)
            try:
                processed.append(process_image(single))
            except ValidationError as error:
                raise ValidationError(
                    _("%(name)s: %(error)s") % {"name": upload.name, "error": error.messages[0]},
                    code=error.code,
                ) from None
        return processed


class EventReportForm(TranslatedFieldsFormMixin, forms.ModelForm):
    translated_fields = ("report",)
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 6 photos, JPEG, PNG or WebP, at most 10 MB each."),
    )
    photo_caption = forms.CharField(
        label=_("Caption for these photos"), max_length=200, required=False
    )

    class Meta:
        model = Event
        fields = ["people_reached", "report", "report_en", "report_vi"]
        widgets = {
            "report": forms.Textarea(attrs={"rows": 6}),
            "report_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "report_vi": forms.Textarea(attrs={"rows": 3, "lang": "vi"}),
        }


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["date", "organisation", "person_times", "given", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = organisations_for(user)
        self.fields["organisation"].queryset = organisations
        if not self.instance.pk:
            # A new visit is most often today's, by the organizer's own organisation.
            from django.utils import timezone

            self.initial.setdefault("date", timezone.localdate())
            own = user.organisations.filter(pk__in=organisations.values("pk")).first()
            if own is not None:
                self.initial.setdefault("organisation", own.pk)
        self.fields["person_times"].min_value = 1
        self.fields["person_times"].widget.attrs["min"] = 1
        # Member records only for staff who may see them; nobody else sees the field.
        visible_people = Person.objects.visible_to(user).order_by("name")
        self.shows_people = visible_people.exists()
        if self.shows_people:
            self.fields["people"] = forms.ModelMultipleChoiceField(
                label=_("People visited (member records)"),
                queryset=visible_people,
                required=False,
                help_text=_("Only the people you may see are listed; other links are kept."),
            )
            if self.instance.pk:
                self.initial["people"] = list(
                    self.instance.people.filter(pk__in=visible_people.values("pk"))
                )

    def clean_person_times(self):
        value = self.cleaned_data["person_times"]
        if value is not None and value < 1:
            raise ValidationError(_("Count at least one person."), code="min")
        return value
