"""The seven NHS England regions (DOMAIN.md). A fixed list shared by every app."""

from django.db import models


class NHSRegion(models.TextChoices):
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"
    EAST_OF_ENGLAND = "east-of-england", "East of England"
    MIDLANDS = "midlands", "Midlands"
    NORTH_EAST_AND_YORKSHIRE = "north-east-and-yorkshire", "North East and Yorkshire"
    NORTH_WEST = "north-west", "North West"
