"""What the synthetic registry is made of: the extract columns, the dirty-row kinds, the clinics, and the drug,
lab, TPMT and event catalogues the patients draw from. Data only; the scenarios are in `scenarios/`."""

from __future__ import annotations

FILE_COLUMNS: dict[str, list[str]] = {
    "patients": ["patient_id", "site_id", "birth_date", "sex", "ms_course", "death_date"],
    "prescriptions": [
        "prescription_id", "patient_id", "drug_name", "drug_code", "start_date", "end_date", "days_supply",
        "strength", "strength_unit", "quantity", "daily_dose", "daily_dose_unit", "status",
    ],
    "labs": [
        "result_id", "patient_id", "test_code", "test_name", "collected_at", "value", "unit", "ref_low",
        "ref_high",
    ],
    "events": ["event_id", "patient_id", "event_date", "event_type", "code", "description"],
    "sites": ["site_id", "site_name"],
    "scenarios": ["patient_id", "scenario", "expected_rules"],
}

DIRTY_KINDS: dict[str, tuple[str, ...]] = {
    "patients": ("missing_required", "duplicate_id", "future_date"),  # a bad date there drops only the value
    "prescriptions": ("missing_required", "bad_date", "bad_number", "nonpositive", "duplicate_id",
                      "unknown_patient", "future_date"),
    "labs": ("missing_required", "bad_date", "bad_number", "duplicate_id", "unknown_patient", "future_date",
             "no_test_id"),
    "events": ("missing_required", "bad_date", "duplicate_id", "unknown_patient", "future_date"),
}  # sites.csv has no dirty rows
DIRTY_SHARE = 0.005  # per kind and file, of all rows

# Clinics of differing size and habits: (site_id, size, system style, quality factor per group).
SITES = [
    ("S01", 0.27, "uk", {"monitoring": 0.8, "tpmt": 1.0, "dose": 1.0, "toxicity": 1.0}),
    ("S02", 0.21, "us", {"monitoring": 1.0, "tpmt": 1.8, "dose": 1.4, "toxicity": 1.0}),
    ("S03", 0.16, "local", {"monitoring": 1.6, "tpmt": 0.7, "dose": 1.0, "toxicity": 1.2}),
    ("S04", 0.12, "uk", {"monitoring": 0.5, "tpmt": 1.0, "dose": 0.6, "toxicity": 0.8}),
    ("S05", 0.10, "local", {"monitoring": 2.3, "tpmt": 0.6, "dose": 1.0, "toxicity": 1.0}),
    ("S06", 0.08, "us", {"monitoring": 1.0, "tpmt": 2.5, "dose": 1.5, "toxicity": 1.0}),
    ("S07", 0.06, "uk", {"monitoring": 1.3, "tpmt": 1.0, "dose": 0.8, "toxicity": 1.6}),
]

# The optional sites file: the names the report shows (fictional clinics).
SITE_NAMES = {"S01": "Northgate Neurology Centre", "S02": "Riverside MS Clinic", "S03": "St Anselm's Hospital",
              "S04": "Eastfield Neurosciences", "S05": "Harbour View Infirmary", "S06": "Westmoor MS Service",
              "S07": "Valley Community Neurology"}

AZA_NAMES = {
    50: {"uk": ["Azathioprine 50mg tablets", "Imuran 50mg tablets", "Azathioprine 50mg tablets, film coated"],
         "us": ["azathioprine 50 mg oral tablet", "Imuran 50 mg", "Azasan 50 MG Oral Tablet"],
         "local": ["AZATHIOPRINE 50MG TAB", "Azathioprine 50 mg", "IMURAN 50MG TAB"]},
    25: {"uk": ["Azathioprine 25mg tablets", "Imuran 25mg tablets"],
         "us": ["azathioprine 25 mg oral tablet", "Imuran 25 mg"],
         "local": ["AZATHIOPRINE 25MG TAB", "Imuran 25 mg", "Azathioprine 25 mg"]},
}
AZA_CODES = {50: {"uk": ["327070006", "L04AX01"], "us": ["197388", "L04AX01"], "local": ["L04AX01"]},
             25: {"uk": ["327071005", "L04AX01"], "us": ["199310", "L04AX01"], "local": ["L04AX01"]}}
AZA_CODE_P = {"uk": 0.7, "us": 0.85, "local": 0.25}

# Preferred MS therapies: (drug_name, code, days per prescription, quantity)
DMTS = [
    ("Avonex 30 micrograms", "L03AB07", 28, 4),
    ("Rebif 44 micrograms/0.5ml", "L03AB07", 28, 12),
    ("Interferon beta-1a 44 micrograms", "", 28, 12),
    ("Betaferon 250 micrograms", "L03AB08", 30, 15),
    ("Plegridy 125 micrograms", "L03AB13", 28, 2),
    ("Copaxone 20mg/ml", "L03AX13", 28, 28),
    ("Glatiramer acetate 40mg/ml", "", 28, 12),
    ("Tecfidera 240mg", "L04AX07", 28, 56),
    ("Dimethyl fumarate 240mg gastro-resistant capsules", "", 28, 56),
    ("Fingolimod 0.5mg capsules", "", 28, 28),
    ("Teriflunomide 14mg tablets", "", 28, 28),
    ("Natalizumab 300mg/15ml infusion", "", 28, 1),
]
OTHER_DRUGS = [
    ("Baclofen 10mg tablets", "", 28, 84), ("Gabapentin 300mg capsules", "", 28, 84),
    ("Colecalciferol 1000 IU", "", 84, 84), ("Amitriptyline 10mg tablets", "", 28, 28),
    ("Omeprazole 20mg capsules", "", 28, 28), ("Oxybutynin 5mg tablets", "", 28, 56),
    ("Paracetamol 500mg tablets", "", 14, 56), ("Modafinil 100mg tablets", "", 28, 56),
]

# Lab catalogue: analyte -> (loinc, local names, kind, normal low, normal high)
LABS = {
    "WBC": ("6690-2", ["White Blood Cells", "WBC", "White cell count"], "count", 4.0, 11.0),
    "NEUT": ("751-8", ["Neutrophils", "Absolute Neutrophil Count"], "count", 2.0, 7.5),
    "LYMPH": ("731-0", ["Lymphocytes", "Absolute Lymphocyte Count"], "count", 1.0, 4.0),
    "LYMPH_PCT": ("736-9", ["Lymphocytes %"], "pct", 20.0, 45.0),
    "PLT": ("777-3", ["Platelet Count", "Platelets"], "count", 150.0, 400.0),
    "HB": ("718-7", ["Haemoglobin", "Hb", "Hemoglobin"], "hb", 115.0, 165.0),
    "ALT": ("1742-6", ["Alanine Aminotransferase (ALT)", "ALT"], "enzyme", 0.0, 40.0),
    "AST": ("1920-8", ["Asparate Aminotransferase (AST)", "AST", "Aspartate aminotransferase"], "enzyme", 0.0, 40.0),
    "ALP": ("6768-6", ["Alkaline Phosphatase", "ALP"], "enzyme", 30.0, 130.0),
    "BILI": ("1975-2", ["Bilirubin, total", "Total Bilirubin"], "bili", 0.0, 21.0),
    "ALB": ("1751-7", ["Albumin"], "alb", 35.0, 50.0),
}
COUNT_UNITS = {"uk": ["10*9/L", "x10^9/L"], "us": ["K/uL", "10*3/uL"], "local": ["10*9/L", "cells/uL", "10^9/L"]}
UNCERTAIN_OK = {"10*9/L", "x10^9/L", "K/uL", "10*3/uL", "cells/uL", "10^9/L"}
TOXIC = {"WBC": (2.1, 3.3), "NEUT": (0.7, 1.4), "LYMPH": (0.2, 0.45), "PLT": (60.0, 130.0),
         "ALT": (140.0, 420.0), "AST": (120.0, 300.0)}

TPMT_TEXT = {
    "normal": ["Normal", "*1/*1", "normal metabolizer", "Wild type"],
    "intermediate": ["*1/*3A", "intermediate metabolizer", "Heterozygous", "*1/*3C", "Intermediate"],
    "deficient": ["*3A/*3A", "Deficient", "poor metabolizer", "Absent"],
}
TPMT_MU = {"normal": (70, 140), "intermediate": (26, 60), "deficient": (2, 14)}
TPMT_NMOL = {"normal": (28.0, 55.0), "intermediate": (12.0, 22.0), "deficient": (1.0, 7.0)}

INFECTIONS = [
    ("serious_infection", "J18.9", "Pneumonia, unspecified organism"),
    ("serious_infection", "N10", "Acute pyelonephritis"),
    ("serious_infection", "L03.1", "Cellulitis of lower limb"),
    ("serious_infection", "B02.9", "Herpes zoster, disseminated"),
    ("sepsis", "A41.9", "Sepsis, unspecified organism"),
    ("sepsis", "A41.5", "Gram-negative sepsis"),
]
CONTRAINDICATIONS = [
    "Interferon intolerance (depression)", "Needle phobia: injectable DMT declined", "Pregnancy planning",
    "JCV antibody positive: natalizumab not advised", "Lymphopenia on fingolimod", "Patient declined injectables",
]
BAD_DATES = ["2023-13-45", "12/03/2021", "2022-02-30", "31/11/2020", "2021-00-10"]

# clean scenarios that may carry incidental monitoring / TPMT / weight lapses (not listed as expected)
