-- The stored outcome of every expectation of every suite, the last validation of each suite.
create table if not exists expectation_results (
    suite varchar,
    expectation varchar,
    column_name varchar,
    success boolean,
    element_count bigint,
    unexpected_count bigint,
    examples varchar[]
);
