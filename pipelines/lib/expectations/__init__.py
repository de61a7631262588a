"""The Great Expectations checks of the extract files: a suite per file in `expectations/<file>.json`, run by
GX's own SQL execution engine inside the run's DuckDB database.

- `suites`: loading a suite (an expectation that does not load is an error, never silently dropped).
- `engine`: the one adapter between GX and DuckDB (results buffered inside the connection block; DuckDB's
  regex function; the run's own connection, no second database).
- `validate`: one table against one suite, one `ExpectationOutcome` per expectation.
- `storage`: the outcomes kept in `expectation_results` for the report.
- `docs`: GX Data Docs built from the stored outcomes, offline.

Offending example values are patient data: they are returned to the caller and stored in
`expectation_results`, never logged.
"""

from __future__ import annotations

import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"  # before GX is imported: no usage statistics, ever

from .docs import build_data_docs  # noqa: E402
from .storage import store_results, stored_results  # noqa: E402
from .suites import SUITE_NAMES, expected_expectation_counts, load_suite  # noqa: E402
from .validate import MAX_EXAMPLES, ExpectationOutcome, validate_table  # noqa: E402

__all__ = ["SUITE_NAMES", "MAX_EXAMPLES", "ExpectationOutcome", "build_data_docs", "expected_expectation_counts",
           "load_suite", "store_results", "stored_results", "validate_table"]
