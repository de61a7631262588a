-- rule: NO_PRIOR_DMT
-- title: No preferred DMT before azathioprine
-- why: Licensed disease-modifying therapies come first in relapsing MS; azathioprine is a later option.
-- severity: info
-- current: never
-- population: initiated
-- requires: events
-- fires when: azathioprine was initiated with no preferred DMT prescription starting before initiation
--   and no dmt_contraindication event before it. The events file is required because the
--   dmt_contraindication event is part of the rule: without it a contraindication cannot be excluded.
--   key_date = initiation.
select
    i.patient_id,
    i.initiation_date as episode_start,
    null as test,
    i.initiation_date as key_date,
    null as window_start,
    null as window_end,
    null as value,
    null as threshold,
    'Azathioprine started ' || strftime(i.initiation_date, '%Y-%m-%d')
        || ' with no earlier preferred disease-modifying therapy prescribed and no contraindication to one'
        || ' recorded: document why azathioprine was chosen as second line.' as detail
from initiations i
where not exists (
    select 1 from dmt_prescriptions d
    where d.patient_id = i.patient_id and d.start_date < i.initiation_date
)
and not exists (
    select 1 from events v
    where v.patient_id = i.patient_id and v.event_type = 'dmt_contraindication'
      and v.event_date < i.initiation_date
)
