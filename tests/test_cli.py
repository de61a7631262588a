"""The command line's exit statuses and messages (CONTRACT.md): 2 and one line for unusable input."""

from pipelines.cli import main


def _extract(directory, prescriptions_header="prescription_id,patient_id,drug_name,start_date"):
    directory.mkdir()
    (directory / "patients.csv").write_text("patient_id\nP1\n")
    (directory / "prescriptions.csv").write_text(prescriptions_header + "\n")
    (directory / "labs.csv").write_text("result_id,patient_id,test_code,collected_at,value\n")
    return directory


def test_missing_column_exits_2_with_one_line_naming_file_and_column(tmp_path, capsys):
    extracts = _extract(tmp_path / "x", "prescription_id,patient_id,drug_name")
    status = main(["run", "--extracts", str(extracts), "--as-of", "2025-01-01", "--db", str(tmp_path / "a.duckdb"),
                   "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().splitlines()[-1] == "prescriptions.csv: column start_date: required column is missing"
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_missing_directory_exits_2(tmp_path, capsys):
    status = main(["run", "--extracts", str(tmp_path / "nowhere"), "--db", str(tmp_path / "a.duckdb")])
    assert status == 2
    assert "extract directory not found" in capsys.readouterr().err


def test_unknown_profile_exits_1_with_a_message(tmp_path, capsys):
    extracts = _extract(tmp_path / "x")
    status = main(["run", "--extracts", str(extracts), "--profile", "nope", "--db", str(tmp_path / "a.duckdb")])
    err = capsys.readouterr().err
    assert status == 1
    assert "unknown profile 'nope'" in err and "Traceback" not in err
