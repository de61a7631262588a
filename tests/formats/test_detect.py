"""detect_format on each kind of extract directory, and the errors of detect_format / convert."""

from __future__ import annotations

import pytest

from formats_testlib import EUNOMIA, MIMIC, SYNTHEA_CSV, SYNTHEA_FHIR, need
from pipelines.lib.formats import FORMATS, FormatError, convert, detect_format


def test_formats_tuple():
    assert FORMATS == ("canonical", "omop", "fhir", "synthea", "mimic")


@pytest.mark.parametrize("path, fmt", [(EUNOMIA, "omop"), (MIMIC, "mimic"), (MIMIC / "hosp", "mimic"),
                                       (SYNTHEA_CSV, "synthea"), (SYNTHEA_FHIR, "fhir")])
def test_real_data(path, fmt):
    assert detect_format(need(path)) == fmt


def test_canonical(tmp_path):
    (tmp_path / "Patients.csv").write_text("patient_id,site_id\n", encoding="utf-8")
    (tmp_path / "prescriptions.parquet").write_bytes(b"PAR1")
    (tmp_path / "labs.csv").write_text("result_id\n", encoding="utf-8")
    assert detect_format(tmp_path) == "canonical"


def test_converted_output_is_canonical(tmp_path):
    convert(need(EUNOMIA), "omop", tmp_path / "out")
    assert detect_format(tmp_path / "out") == "canonical"


def test_nothing_fits(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "data.json").write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(FormatError) as err:
        detect_format(tmp_path)
    assert isinstance(err.value, ValueError)
    assert str(tmp_path) in str(err.value) and "PERSON" in str(err.value) and "ndjson" in str(err.value)


def test_convert_errors(tmp_path):
    with pytest.raises(FormatError, match="unknown format"):
        convert(tmp_path, "hl7v2", tmp_path / "out")
    with pytest.raises(FormatError, match="no conversion"):
        convert(tmp_path, "canonical", tmp_path / "out")
    with pytest.raises(FormatError, match="MIMIC"):
        convert(tmp_path, "mimic", tmp_path / "out")
