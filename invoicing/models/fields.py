"""Decimal field shapes shared by the invoicing models."""

from decimal import Decimal

from django.core.validators import MinValueValidator

PRICE_FIELD = {"max_digits": 10, "decimal_places": 4, "validators": [MinValueValidator(Decimal("0"))]}
# Energies are whole Wh (three decimals of kWh); amounts are kWh x price to the last digit, so
# seven decimals. Fifteen digits in all is what SQLite stores exactly (it keeps decimals as
# doubles), and still covers a million euros.
ENERGY_FIELD = {"max_digits": 15, "decimal_places": 3}
AMOUNT_FIELD = {"max_digits": 15, "decimal_places": 7}
