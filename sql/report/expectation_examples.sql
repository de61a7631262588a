-- Patient-level (examples can be identifiers): the examples of failed expectations, care-team report only.
select suite, expectation, column_name, examples from expectation_results
where not success and examples is not null
