"""Actions and views that confirm on their own page first, as ``delete_selected`` does, then call a service."""

from contextlib import contextmanager

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from .base import CHANGE_FORM_ACTION


@contextmanager
def reporting_refusals(model_admin, request, *, about=None):
    """A service's refusal (``ValidationError``) becomes an error message, named after ``about``.

    The rest of the ``with`` block is skipped and the caller goes on, so one refused period or
    invoice does not stop an action on the others.
    """
    try:
        yield
    except ValidationError as error:
        text = " ".join(error.messages)
        model_admin.message_user(request, text if about is None else f"{about}: {text}", messages.ERROR)


def confirmation_response(model_admin, request, template, *, title, obj=None, **context) -> TemplateResponse:
    """A page of ``admin/invoicing/confirmation.html``'s family in the admin's frame.

    ``obj`` is the one object the page is about (a crumb in its breadcrumbs), if there is one.
    """
    request.current_app = model_admin.admin_site.name
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": model_admin.opts,
        "object": obj,
        "media": model_admin.media,
        **context,
    }
    return TemplateResponse(request, template, context)


def action_post_back(request, action, objects) -> dict:
    """What a confirmation page posts back to run ``action`` again on ``objects``: the action's name
    in the field it came in (the change form prefixes its own), the selected ids and ``post``."""
    return {
        "action": action,
        "action_field_name": CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected_pks": [obj.pk for obj in objects],
    }


def confirm_then_run(model_admin, request, objects, *, confirmed, run, confirmation):
    """The page ``confirmation()`` returns until ``confirmed``; then ``run`` on each object.

    What ``run`` returns is reported as a success, a refusal as an error naming the object. The
    action then returns ``None``: back to the page it came from, which shows the messages.
    """
    if not confirmed:
        return confirmation()
    for obj in objects:
        with reporting_refusals(model_admin, request, about=obj):
            model_admin.message_user(request, run(obj), messages.SUCCESS)
    return None
