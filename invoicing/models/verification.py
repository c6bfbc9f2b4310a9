"""The result of each billing verification (``manage.py verify_billing``, nightly on the schedule)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingCheck(models.Model):
    """One run of the billing verification: what it covered and what it found (empty: all clear)."""

    ran_at = models.DateTimeField(_("ran at"))
    scope = models.CharField(_("scope"), max_length=200, help_text=_("Communities and month checked."))
    invoices_checked = models.PositiveIntegerField(_("invoices checked"))
    findings = models.JSONField(_("findings"), default=list, help_text=_("One line per finding; empty when clean."))

    class Meta:
        verbose_name_plural = _("billing checks")
        ordering = ["-ran_at"]
        verbose_name = _("billing check")

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d %H:%M} {self.scope}: {len(self.findings)} findings"

    @property
    def is_clean(self) -> bool:
        return not self.findings
