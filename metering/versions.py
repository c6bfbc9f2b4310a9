"""The readings' version per community and UTC month, which database triggers keep."""

from django.db import models

from communities.models import Community


class ReadingsVersion(models.Model):
    """How often a community's readings in one UTC month have changed, counted by the database.

    Triggers on the readings table (migration 0007) bump it in the writing transaction, whoever
    writes: the file import, the live feed, the admin, a resource, raw SQL, a delete. Pages that
    keep figures computed from readings compare versions instead of recounting millions of rows.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the UTC month.")
    version = models.BigIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="one_readings_version_per_community_month")
        ]

    def __str__(self):
        return f"{self.community_id} {self.month:%Y-%m}: {self.version}"
