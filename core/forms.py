"""How forms render across the apps."""

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
# The widgets whose template is Django's input.html as it is.
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in ("text", "email", "password", "hidden", "search", "number", "url", "tel")
)
TEXTAREA = f"{WIDGETS}textarea.html"


class FormRenderer(TemplatesSetting):
    """Django's form rendering with the project's field template (templates/forms/field.html),
    which gives help text and errors the ids Django's `aria-describedby` points at.

    The plain <input>s and the <textarea> are written here, as Django's own templates write
    them (tests/core/test_forms.py compares the two), rather than through three templates
    each: a thread's reply box cost 0.25 ms that way, a tenth of the pane. The project does
    not override these templates; every other widget goes through its template."""

    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return _input(context["widget"])
        if template_name == TEXTAREA:
            return _textarea(context["widget"])
        return super().render(template_name, context, request=request)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return mark_safe(
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict) -> str:
    value = widget["value"]
    text = conditional_escape(value) if value else ""
    return mark_safe(
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{text}</textarea>"
    )


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: a True attribute by its name alone, no False one."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
