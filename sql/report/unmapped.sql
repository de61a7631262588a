-- The unmapped lab codes and names and drug names (care-team report only: free text), the ones that look
-- relevant first: a name resembling azathioprine or another thiopurine, TPMT, a blood count, a liver test or a
-- renal test (`looks_like`), then the rest by rows. A mapping that a codelist misses shows at the top.
with hints(pattern, looks_like, rank) as (
    values ('azathi', 'azathioprine', 1), ('imuran', 'azathioprine', 1), ('azamun', 'azathioprine', 1),
           ('aza ', 'azathioprine', 1), ('mercaptopurine', 'a thiopurine', 2), ('thioguanine', 'a thiopurine', 2),
           ('tioguanine', 'a thiopurine', 2), ('thiopurine', 'a thiopurine', 2), ('purinethol', 'a thiopurine', 2),
           ('tpmt', 'TPMT', 3), ('methyltransferase', 'TPMT', 3),
           ('blood count', 'a blood count', 4), ('fbc', 'a blood count', 4), ('cbc', 'a blood count', 4),
           ('white cell', 'a blood count', 4), ('white blood', 'a blood count', 4), ('wbc', 'a blood count', 4),
           ('leuco', 'a blood count', 4), ('leuko', 'a blood count', 4), ('neutro', 'a blood count', 4),
           ('lymph', 'a blood count', 4), ('platelet', 'a blood count', 4), ('haemoglobin', 'a blood count', 4),
           ('hemoglobin', 'a blood count', 4),
           ('alanine', 'a liver test', 5), ('aspartate', 'a liver test', 5), ('transaminase', 'a liver test', 5),
           ('bilirubin', 'a liver test', 5), ('alkaline phos', 'a liver test', 5), ('liver', 'a liver test', 5),
           ('gamma', 'a liver test', 5), ('ggt', 'a liver test', 5),
           ('creatinine', 'a renal test', 6), ('egfr', 'a renal test', 6), ('urea', 'a renal test', 6),
           ('renal', 'a renal test', 6), ('kidney', 'a renal test', 6), ('u&e', 'a renal test', 6)
),
ranked as (
    select u.kind, u.code, u.name, u.rows,
           arg_min(h.looks_like, h.rank) as looks_like, min(h.rank) as rank
    from unmapped_codes u
    left join hints h on contains(lower(coalesce(u.name, '') || ' '), h.pattern)
    group by u.kind, u.code, u.name, u.rows
)
select kind, code, name, rows, looks_like
from ranked
order by coalesce(rank, 99), rows desc, kind, code, name
limit 100
