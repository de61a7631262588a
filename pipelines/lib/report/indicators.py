"""The report's headline indicators (computed by `sql/report/indicators.sql`).

Each is a count of patients (numerator) over a denominator of patients, per site and overall. ``kind`` says
how the headline shows it: ``count`` shows the numerator, ``rate`` the percentage.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    kind: str  # "count" or "rate"
    higher_is_better: bool | None  # None: neither (activity, not quality)
    numerator: str
    denominator: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("active_episode", "Patients on an active episode", "count", None,
              "patients on an active azathioprine episode at the as-of date",
              "patients ever treated"),
    Indicator("new_starts_12m", "New starts in the last 12 months", "count", None,
              "patients whose first episode started in the 12 months up to the as-of date",
              "patients ever treated"),
    Indicator("tpmt_before_initiation", "TPMT tested before initiation", "rate", True,
              "patients with a TPMT result on or before their first dose",
              "patients who started azathioprine"),
    Indicator("induction_complete", "Induction monitoring complete", "rate", True,
              "patients with a full blood count and liver tests in every induction window",
              "patients with at least one closed induction window"),
    Indicator("monitoring_up_to_date", "Monitoring up to date", "rate", True,
              "patients whose last blood monitoring is within the maintenance interval",
              "patients on an active episode past induction"),
    Indicator("over_600g", "Cumulative dose over 600 g", "rate", False,
              "patients whose cumulative dose exceeds the profile's limit",
              "patients with azathioprine prescriptions"),
    Indicator("over_10_years", "Treated for over 10 years", "rate", False,
              "patients whose days on treatment exceed the profile's limit",
              "patients with azathioprine episodes"),
    Indicator("critical_findings", "Patients with a critical finding", "rate", False,
              "patients with at least one critical finding",
              "patients ever treated"),
    Indicator("lymphocyte_in_target", "Lymphocyte response in target", "rate", True,
              "active episodes whose lymphocyte count is within the target share of baseline",
              "active episodes older than the minimum with a baseline and a latest count"),
)


# The indicators that count one or more rules' patients: {indicator: (rules...)}, the first rule's population
# being the denominator and its flagged patients (or their complement) the numerator (sql/report/indicators.sql).
# Disclosure control hides a cell in both tables when it hides it in one.
RULE_LINKS: dict[str, tuple[str, ...]] = {
    "tpmt_before_initiation": ("TPMT_NOT_TESTED", "TPMT_TESTED_LATE"),
    "induction_complete": ("INDUCTION_MONITORING_GAP",),
    "monitoring_up_to_date": ("MONITORING_OVERDUE",),
    "over_600g": ("CUMULATIVE_DOSE_OVER_LIMIT",),
    "over_10_years": ("TREATMENT_DURATION_OVER_LIMIT",),
}
