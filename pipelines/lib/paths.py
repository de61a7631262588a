"""Where the project's data files live: SQL, suites, codelists and profiles sit beside the package."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
CODELISTS_DIR = PROJECT_ROOT / "codelists"
PROFILES_DIR = PROJECT_ROOT / "profiles"
