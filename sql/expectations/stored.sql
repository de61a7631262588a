-- Every stored outcome, in the order it was stored (suite order, then expectation order).
select suite, expectation, column_name, success, element_count, unexpected_count, examples
from expectation_results
order by rowid
