-- The most frequent unmapped lab codes and names and drug names (care-team report only: free text).
select kind, code, name, rows from unmapped_codes order by rows desc, kind, code limit 100
