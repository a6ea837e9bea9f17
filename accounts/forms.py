from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Profile


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("The portal and its e-mails use this language."),
    )

    class Meta:
        model = Profile
        fields = ["public_name", "language", "show_affiliation"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. “report script on my laptop”."),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name
