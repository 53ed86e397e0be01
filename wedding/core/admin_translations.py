"""The admin side of couple-written content in several languages (see `wedding.core.i18n`).

A model lists its `TRANSLATED_FIELDS` and has a `translations` JSON field. Its
admin (or inline) uses `TranslatedAdminMixin` with `form = translated_form(Model)`:
the change form then shows, after the model's own fields, one optional field per
translated field and language other than the wedding's default ("Name (Español)"),
stored in `translations`. A blank one falls back to the main text.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from wedding.core.admin_base import WeddingScopedForm
from wedding.core.i18n import wedding_language


def translation_field_name(field: str, language: str) -> str:
    return f"{field}__{language}"


def translation_field_names(model: type, languages: list[str] | None = None) -> list[str]:
    languages = languages if languages is not None else [code for code, _name in settings.LANGUAGES]
    return [translation_field_name(f, lang) for lang in languages for f in model.TRANSLATED_FIELDS]


class TranslationsFormMixin:
    """Reads and writes `instance.translations` through the declared `<field>__<language>` fields.

    Languages the form does not show (the wedding's own) keep what they had.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if getattr(self.instance, "wedding_id", None):
            # The wedding's own language is the main text: no field for it (the admin shows none).
            own = wedding_language(self.instance.wedding)
            for field in self._meta.model.TRANSLATED_FIELDS:
                self.fields.pop(translation_field_name(field, own), None)
        stored = self.instance.translations if isinstance(self.instance.translations, dict) else {}
        for name in self._translation_fields():
            field, language = name.rsplit("__", 1)
            self.initial.setdefault(name, (stored.get(language) or {}).get(field, ""))

    def _translation_fields(self) -> list[str]:
        return [name for name in translation_field_names(self._meta.model) if name in self.fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        stored = self.instance.translations if isinstance(self.instance.translations, dict) else {}
        translations = {lang: dict(values) for lang, values in stored.items() if isinstance(values, dict)}
        for name in self._translation_fields():
            field, language = name.rsplit("__", 1)
            text = (cleaned.get(name) or "").strip()
            if text:
                translations.setdefault(language, {})[field] = text
            else:
                translations.get(language, {}).pop(field, None)
        self.instance.translations = {lang: values for lang, values in translations.items() if values}
        return cleaned


class TranslationsForm(TranslationsFormMixin, WeddingScopedForm):
    """A wedding-scoped ModelForm with translation fields (see `translated_form`)."""


def translated_form(model: type, base: type[forms.ModelForm] = WeddingScopedForm) -> type[forms.ModelForm]:
    """A ModelForm class for `model` (on `base`, e.g. a form with the admin's own checks) declaring
    one optional field per translated field and language."""
    names = dict(settings.LANGUAGES)
    declared: dict[str, forms.Field] = {}
    for language, language_name in names.items():
        for field_name in model.TRANSLATED_FIELDS:
            model_field = model._meta.get_field(field_name)
            formfield = model_field.formfield(required=False)
            formfield.label = f"{str(model_field.verbose_name).capitalize()} ({language_name})"
            formfield.help_text = "Blank: guests reading this language see the main text."
            declared[translation_field_name(field_name, language)] = formfield
    meta = type("Meta", (), {"model": model, "exclude": ("translations",)})
    bases = (base,) if issubclass(base, TranslationsFormMixin) else (TranslationsFormMixin, base)
    return type(f"{model.__name__}TranslationsForm", bases, {**declared, "Meta": meta})


def _wedding_of(obj: Any) -> Any:
    if obj is None:
        return None
    return getattr(obj, "wedding", None) if getattr(obj, "wedding_id", None) else None


class TranslatedAdminMixin:
    """Shows the translation fields of the languages other than the wedding's default.

    For an inline, `obj` is the parent (an event for its meals, a page for its FAQ):
    its wedding decides. Unknown wedding (an add page): every language.
    """

    def _shown_translations(self, obj) -> list[str]:
        wedding = _wedding_of(obj)
        languages = [code for code, _name in settings.LANGUAGES]
        if wedding is not None:
            languages = [code for code in languages if code != wedding_language(wedding)]
        return translation_field_names(self.model, languages)

    def get_fields(self, request, obj=None):
        every = set(translation_field_names(self.model))
        fields = [f for f in super().get_fields(request, obj) if f not in every and f != "translations"]
        return [*fields, *self._shown_translations(obj)]

    def get_fieldsets(self, request, obj=None):
        if not self.fieldsets:
            return super().get_fieldsets(request, obj)  # from get_fields above
        return [*self.fieldsets, ("Other languages", {
            "fields": self._shown_translations(obj),
            "description": "Blank: guests reading that language get the main text.",
        })]
