"""Published figures about London's places: the crimes the Met recorded in each ward, month by
month (its "Ward Level Crime" table), and what residents of each borough told the Public Attitude
Survey about their police, quarter by quarter (MOPAC's borough table)."""

from django.db import models

from geography.models import Borough, Ward


class CrimeMonth(models.Model):
    """A month of recorded crime the site holds, and the release of the MPS table it was taken from:
    of the releases imported that cover the month, the newest (the one whose 24 months end latest),
    since the MPS revises recent months as crimes are reclassified."""

    month = models.DateField(primary_key=True, help_text="The first day of the month.")
    release_ends = models.DateField(help_text="The first day of the last month the release covers.")
    release_file = models.CharField(max_length=255, help_text="The file the release was imported from.")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"


class WardCrime(models.Model):
    """The crimes recorded in one ward in one month, by the MPS's major and minor categories, with
    their total. A ward with none in a month the site holds has no row for it."""

    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="crime")
    month = models.ForeignKey(CrimeMonth, on_delete=models.CASCADE, related_name="wards")
    total = models.PositiveIntegerField()
    counts = models.JSONField(help_text='{"BURGLARY": {"RES BURGLARY OF A HOME": 3, ...}, ...}, no zeros.')

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ward", "month"], name="ward_crime_once_a_month")]

    def __str__(self) -> str:
        return f"{self.ward_id} {self.month_id:%Y-%m}: {self.total}"


class ConfidenceMeasure(models.Model):
    """One Public Attitude Survey measure for one borough at the end of one quarter: the proportion
    of the borough's respondents who agreed over the 12 months to then, and London's."""

    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="confidence")
    measure = models.CharField(max_length=60, help_text='As MOPAC names it, such as "Good Job" local.')
    quarter_end = models.DateField()
    proportion = models.FloatField(help_text="The borough's, 0 to 1.")
    london_proportion = models.FloatField(help_text="All London's (the MPS figure), 0 to 1.")

    class Meta:
        ordering = ["measure", "quarter_end"]
        constraints = [
            models.UniqueConstraint(fields=["borough", "measure", "quarter_end"], name="confidence_once_a_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.borough_id} {self.measure} {self.quarter_end}: {self.proportion}"
