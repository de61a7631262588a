-- A suite's rows, before its new validation is stored.
delete from expectation_results where suite = $suite;
