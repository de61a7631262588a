"""How a step fails: as a `dg.Failure` whose description is one line (shown at the top of the run page in
the UI and printed by the CLI), never a framework stack trace as the first thing a user reads.

Unusable input (`ExtractError`, exit status 2 on the CLI) is marked in the failure's metadata. Messages
name files, columns and stages, never a data value."""

from __future__ import annotations

from contextlib import contextmanager

import dagster as dg

from pipelines.lib.errors import first_line
from pipelines.lib.extracts import ExtractError

UNUSABLE = "unusable input"


@contextmanager
def one_line_failure(stage: str):
    try:
        yield
    except dg.Failure:
        raise
    except ExtractError as exc:
        raise dg.Failure(description=str(exc), metadata={UNUSABLE: True}, allow_retries=False) from None
    except Exception as exc:
        raise dg.Failure(description=f"{stage} failed: {first_line(exc)}", allow_retries=False) from exc
