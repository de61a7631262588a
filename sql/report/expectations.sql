-- The Great Expectations results without their examples (the examples are care-team only).
select suite, expectation, column_name, success, element_count, unexpected_count
from expectation_results order by success, suite, expectation, column_name
