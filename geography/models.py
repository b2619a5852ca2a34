"""London's places: boroughs, wards and postcodes, from OS Code-Point Open and the official outlines."""

import re

from django.db import models


class PoliceForce(models.TextChoices):
    METROPOLITAN = "metropolitan", "Metropolitan Police Service"
    CITY_OF_LONDON = "city-of-london", "City of London Police"


# Where to send people whose area another force polices.
FORCE_WEBSITES = {
    PoliceForce.METROPOLITAN: "https://www.met.police.uk/",
    PoliceForce.CITY_OF_LONDON: "https://www.cityoflondon.police.uk/",
}


class Borough(models.Model):
    """A London borough (ONS E09 code), imported from OS Code-Point Open and ONS outlines."""

    code = models.CharField(max_length=9, primary_key=True, help_text="ONS code, such as E09000033.")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    police_force = models.CharField(max_length=20, choices=PoliceForce.choices, default=PoliceForce.METROPOLITAN)
    outline = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry in WGS84.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """An electoral ward (ONS E05 code). Each Met ward has its own Safer Neighbourhoods Team."""

    code = models.CharField(max_length=9, primary_key=True, help_text="ONS code, such as E05013806.")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="wards")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    outline = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry in WGS84.")
    outline_source = models.CharField(
        max_length=200,
        blank=True,
        help_text="The official boundary file the outline came from, such as 'Wards (May 2024) Boundaries "
        "UK BGC'; blank when it was derived from postcode positions (approximate at the edges).",
    )
    neighbours = models.ManyToManyField(
        "self", blank=True, help_text="The wards sharing a stretch of boundary with it, worked out from the outlines."
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["borough", "slug"], name="ward_slug_unique_in_borough")]

    def __str__(self) -> str:
        return self.name

    @property
    def outline_is_official(self) -> bool:
        return bool(self.outline_source)

    @property
    def outline_attribution(self) -> str:
        """The line the ONS licence asks for wherever an official outline is shown."""
        if not self.outline_is_official:
            return ""
        year = re.search(r"\b(19|20)\d\d\b", self.outline_source)
        return (
            "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
            f"Contains OS data © Crown copyright and database right{f' {year.group()}' if year else ''}."
        )


class Postcode(models.Model):
    """A live postcode unit with its position and ward, from OS Code-Point Open."""

    postcode = models.CharField(max_length=8, primary_key=True, help_text="Formatted, such as SW1A 1AA.")
    outward = models.CharField(max_length=4, db_index=True)
    sector = models.CharField(max_length=6, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="postcodes")

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="postcode_position")]

    def __str__(self) -> str:
        return self.postcode
