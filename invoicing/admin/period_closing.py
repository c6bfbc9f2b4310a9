"""Closing a period: the close and resume actions, and the progress the period's page shows meanwhile."""

from django import forms
from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.formatting import EMPTY, site_time
from invoicing import selectors, services
from invoicing.models import SettlementPeriod
from invoicing.period_figures import period_completeness_kept

from .base import BOTH_LOCATIONS, COMPLETENESS_TEMPLATE, CONFIRM_CLOSE_TEMPLATE, page_figures
from .confirmation import action_post_back, confirm_then_run, confirmation_response, reporting_refusals


def may_force(request) -> bool:
    """Who is offered "force" on the close and issue pages; the services check the same right."""
    return request.user.has_perm(services.FORCE_PERMISSION)


class ForcePeriodForm(forms.Form):
    """Force + reason on the close and issue confirmation pages, for users allowed to force only:
    for anyone else the form has no fields, and a period with gaps is refused."""

    force = forms.BooleanField(required=False, help_text=_("Needs a written reason."))
    # Per ``work``: whole sentences, as German words "close" and "issue" differently in each.
    FORCE_LABELS = {
        "close": _("Close although readings are missing"),
        "issue": _("Issue although readings are missing"),
    }
    REASON_MISSING = {
        "close": _("A forced close needs a written reason."),
        "issue": _("A forced issue needs a written reason."),
    }
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Why billing with gaps is right. Recorded with your name on the period."),
    )

    def __init__(self, *args, work: str, allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.work = work
        if allowed:
            self.fields["force"].label = self.FORCE_LABELS[work]
        else:
            self.fields.clear()

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("force") and not cleaned_data.get("reason", "").strip():
            self.add_error("reason", self.REASON_MISSING[self.work])
        return cleaned_data

    def service_arguments(self) -> dict:
        return {"force": self.cleaned_data.get("force", False), "reason": self.cleaned_data.get("reason", "")}


def force_form(request, *, work: str) -> ForcePeriodForm:
    """The page's force form: bound once the page was confirmed (``post``)."""
    data = request.POST if request.POST.get("post") else None
    return ForcePeriodForm(data, work=work, allowed=may_force(request))


class PeriodClosingMixin:
    """For ``SettlementPeriodAdmin``: "Close period", "Resume" and the close's progress and stuck work."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        period = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            # Until the last PDF is rendered, not only while closing: "Closed" comes before the PDFs.
            "auto_refresh": period is not None and selectors.period_close_progress(period=period).in_progress,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("progress"))
    def close_progress(self, period):
        """Invoices done / total and PDFs done / total; the page reloads itself while closing."""
        progress = selectors.period_close_progress(period=period)
        failed = (
            format_html(
                gettext(' &middot; <strong>{} failed</strong> (retry on each invoice page, or "Resume")'),
                progress.pdfs_failed,
            )
            if progress.pdfs_failed
            else ""
        )
        outcome = {
            SettlementPeriod.Status.OPEN: gettext("Open: invoices are drafts (preview)."),
            SettlementPeriod.Status.CLOSING: gettext("Closing in the background."),
            SettlementPeriod.Status.CLOSED: gettext("Closed %(when)s.") % {"when": site_time(period.closed_at)}
            if period.closed_at
            else gettext("Closed."),
        }[progress.status]
        if progress.in_progress:
            waiting = progress.pdfs_waiting
            if waiting:
                outcome += " " + ngettext(
                    "%(count)d PDF still to render.", "%(count)d PDFs still to render.", waiting
                ) % {"count": waiting}
            outcome += " " + gettext("This page reloads every 3 seconds.")
        return format_html(
            gettext("{} Invoices issued {} / {} &middot; PDFs {} / {}{}"),
            outcome,
            progress.invoices_done,
            progress.invoices_total,
            progress.pdfs_done,
            progress.pdfs_total,
            failed,
        )

    @admin.display(description=_("stuck work"))
    def stuck_work(self, period):
        """A close without progress or PDFs pending for longer than LEG_STUCK_AFTER_MINUTES, and the way out."""
        stuck = selectors.stuck_work(period=period).periods
        if not stuck:
            return EMPTY
        return format_html(
            gettext('<strong>{}</strong> Its tasks were probably lost (task cluster stopped or killed): use "Resume".'),
            stuck[0].what + ".",
        )

    @admin.display(description=_("forced close"))
    def close_forced(self, period):
        if not period.close_forced_reason:
            return EMPTY
        return format_html(gettext("By {}: &ldquo;{}&rdquo;"), period.close_forced_by, period.close_forced_reason)

    @admin.display(description=_("completeness of the readings"))
    def completeness_table(self, period):
        completeness = page_figures(period).completeness
        return render_to_string(COMPLETENESS_TEMPLATE, {"completeness": completeness})

    @admin.action(description=_("Close period"), permissions=["close_period"], location=BOTH_LOCATIONS)
    def close_periods(self, request, queryset):
        """A confirmation page with the completeness summary and a force + reason form, then the close."""
        periods = list(queryset.select_related("community"))
        form = force_form(request, work="close")
        return confirm_then_run(
            self,
            request,
            periods,
            confirmed=form.is_bound and form.is_valid(),
            run=lambda period: str(
                services.period_close_start(period=period, acting_user=request.user, **form.service_arguments())
            ),
            confirmation=lambda: self._close_confirmation(request, periods, form),
        )

    def _close_confirmation(self, request, periods, form):
        rows = [
            {
                "period": period,
                "local_bounds": self.local_bounds(period),
                "completeness": period_completeness_kept(period=period),
                "refused": period.status != SettlementPeriod.Status.OPEN,
                "not_ended": services.period_not_ended(period),
            }
            for period in periods
        ]
        return confirmation_response(
            self,
            request,
            CONFIRM_CLOSE_TEMPLATE,
            title=gettext("Close period"),
            rows=rows,
            any_gaps=any(not row["completeness"].complete for row in rows if not (row["refused"] or row["not_ended"])),
            form=form,
            completeness_template=COMPLETENESS_TEMPLATE,
            **action_post_back(request, "close_periods", periods),
        )

    @admin.action(
        description=_("Resume (re-queue a stuck or failed close and pending PDFs)"),
        permissions=["close_period"],
        location=BOTH_LOCATIONS,
    )
    def resume_closing(self, request, queryset):
        for period in queryset:
            with reporting_refusals(self, request, about=period):
                self.message_user(request, services.period_close_resume(period=period, acting_user=request.user))
