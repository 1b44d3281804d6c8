"""How forms render across the apps."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Django's form rendering with the project's field template (templates/forms/field.html),
    which gives help text and errors the ids Django's `aria-describedby` points at."""

    field_template_name = "forms/field.html"
