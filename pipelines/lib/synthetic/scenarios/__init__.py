"""The scenarios of the synthetic registry: one module each, with one `Builder` (a `base.Scenario`).

`ORDER` is the deck the generator shuffles (its order is part of what a seed means, so a new scenario goes at
the end); `SCENARIOS` is `{name: (share per 100 patients, rules it is built to trigger, site-quality group)}`;
`BUILDERS` is `{name: builder}`. Adding a scenario for a new rule: a module here (a `timeline` and the steps
it changes, see `base.py`), its name at the end of `ORDER`, and shares that still add up to 100.
"""

from __future__ import annotations

from importlib import import_module

ORDER: tuple[str, ...] = (
    "well_managed_active", "well_managed_stopped", "no_azathioprine", "restart_after_break",
    "tpmt_intermediate_low_dose", "dmt_contraindicated", "infection_held", "died_on_treatment", "tpmt_not_tested",
    "tpmt_tested_late", "tpmt_deficient_prescribed", "tpmt_intermediate_high_dose", "dose_above_max",
    "weight_missing", "baseline_bloods_missing", "induction_gap", "maintenance_gap", "monitoring_overdue",
    "monitoring_due_soon", "cumulative_over_limit", "cumulative_approaching", "long_duration_low_dose", "cytopenia",
    "liver_toxicity", "infection_restart", "post_stop_followup_gap", "early_discontinuation", "early_stop_toxicity",
    "no_prior_dmt",
)

BUILDERS = {name: import_module(f"{__name__}.{name}").Builder() for name in ORDER}
for _name, _builder in BUILDERS.items():
    assert _builder.name == _name, f"scenarios/{_name}.py builds {_builder.name!r}"

SCENARIOS: dict[str, tuple[int, tuple[str, ...], str]] = {
    name: (b.share, tuple(b.expected), b.group) for name, b in BUILDERS.items()
}
assert sum(v[0] for v in SCENARIOS.values()) == 100
