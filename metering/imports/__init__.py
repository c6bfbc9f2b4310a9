"""Meter-data import: one engine for the admin, background jobs and ``manage.py import_readings``."""

from .engine import ImportResult, readings_import
from .errors import MAX_LISTED_ERRORS, RowError
from .source import FileRejected

__all__ = ["MAX_LISTED_ERRORS", "FileRejected", "ImportResult", "RowError", "readings_import"]
