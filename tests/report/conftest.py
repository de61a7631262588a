"""Fixtures of the report tests; the registry itself is built in report_fixture.py."""

import types

import duckdb
import pytest

from report_fixture import AS_OF, PATIENTS, build_registry, finding_id, run_info, site_of


@pytest.fixture
def con():
    connection = duckdb.connect()
    build_registry(connection, night=1)
    yield connection
    connection.close()


@pytest.fixture
def registry():
    """The helpers, for tests that build their own nights."""

    return types.SimpleNamespace(build=build_registry, run_info=run_info, as_of=AS_OF, patients=PATIENTS,
                                 finding_id=finding_id, site_of=site_of)
