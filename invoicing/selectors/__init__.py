"""Reads for invoicing: each a query the services, the admin and the commands share."""

from .break_even import HouseValue, break_even_prices, break_even_values_by_segment, house_values_at_interval_prices
from .completeness import Completeness, HouseCompleteness, period_completeness, periods_completeness
from .dashboard import CommunityDashboard, MonthFigures, chart_months, community_dashboards
from .deliveries import PeriodDeliveries, invoice_deliveries, latest_delivery_status, period_deliveries
from .documents import invoice_documents
from .invoices import document_pdf_bytes, invoice_events, invoice_issuer, invoices_for_export, invoices_past_due
from .periods import CloseProgress, houses_billable_in, period_close_progress, period_events
from .readings import (
    IntervalEnergy,
    daily_energy_wh,
    energy_wh_by_house_and_segment,
    interval_energy,
    interval_energy_sums,
    period_interval_energy,
)
from .stuck import StuckPeriod, StuckWork, pdf_is_stuck, pdf_pending_since, stuck_after, stuck_work
from .tariffs import period_tariff_segments, tariff_in_effect, tariff_is_quoted, tariffs_for_range

__all__ = [
    "CloseProgress",
    "CommunityDashboard",
    "Completeness",
    "HouseCompleteness",
    "HouseValue",
    "IntervalEnergy",
    "MonthFigures",
    "PeriodDeliveries",
    "StuckPeriod",
    "StuckWork",
    "break_even_prices",
    "break_even_values_by_segment",
    "chart_months",
    "community_dashboards",
    "daily_energy_wh",
    "document_pdf_bytes",
    "energy_wh_by_house_and_segment",
    "house_values_at_interval_prices",
    "houses_billable_in",
    "interval_energy",
    "interval_energy_sums",
    "invoice_deliveries",
    "invoice_documents",
    "invoice_events",
    "invoice_issuer",
    "invoices_for_export",
    "invoices_past_due",
    "latest_delivery_status",
    "pdf_is_stuck",
    "pdf_pending_since",
    "period_close_progress",
    "period_completeness",
    "period_deliveries",
    "period_events",
    "period_interval_energy",
    "period_tariff_segments",
    "periods_completeness",
    "stuck_after",
    "stuck_work",
    "tariff_in_effect",
    "tariff_is_quoted",
    "tariffs_for_range",
]
