-- One outcome of one expectation (rows come from code: counts and up to 5 examples).
insert into expectation_results (suite, expectation, column_name, success, element_count, unexpected_count, examples)
values ($suite, $expectation, $column_name, $success, $element_count, $unexpected_count, $examples);
