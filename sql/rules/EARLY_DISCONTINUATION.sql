-- rule: EARLY_DISCONTINUATION
-- title: Stopped early with no reason recorded
-- why: A stop within 18 months without toxicity or infection on record may mean lost benefit.
-- severity: info
-- current: never
-- population: ended_episode
-- requires: events
-- fires when: an episode that is not active lasted under $min_treatment_days days
--   (episode_end - episode_start + 1 < $min_treatment_days) with no reason to stop in
--   [episode_start, episode_end + $stop_reason_days]: no result that CYTOPENIA_ON_TREATMENT or
--   LIVER_TOXICITY_ON_TREATMENT would count (table toxicity: censored values as they count them, so
--   lymphocytes "<0.5" is a reason and WBC ">3.0" is none), and no serious_infection, sepsis,
--   adverse_reaction or malignancy event. Any of them counts whether or not azathioprine was restarted. Requires the events file: without it an infection cannot be excluded, and a
--   finding that may be a justified stop is not one a clinician can trust. An episode the patient's death
--   ended (death on or before episode_end + $episode_gap_days) is not an early discontinuation.
--   key_date = episode start; window = the episode; value = days treated, threshold = $min_treatment_days.
with ended as (
    select patient_id, episode_start, episode_end,
           date_diff('day', episode_start, episode_end) + 1 as days_treated
    from episodes
    where not is_active
      and date_diff('day', episode_start, episode_end) + 1 < $min_treatment_days
      and (death_date is null or death_date > episode_end + $episode_gap_days * interval 1 day)
)
select
    x.patient_id,
    x.episode_start,
    null as test,
    x.episode_start as key_date,
    x.episode_start as window_start,
    x.episode_end as window_end,
    x.days_treated as value,
    $min_treatment_days as threshold,
    'Azathioprine ran from ' || strftime(x.episode_start, '%Y-%m-%d') || ' to '
        || strftime(x.episode_end, '%Y-%m-%d') || ' (' || x.days_treated || ' days, under the '
        || $min_treatment_days || ' days recommended) with no cytopenia, liver toxicity, serious infection,'
        || ' adverse reaction or malignancy on record: document the reason for stopping, or consider resuming.'
        as detail
from ended x
where not exists (  -- a toxicity result, censored values counted as the toxicity rules count them
    select 1 from toxicity t
    where t.patient_id = x.patient_id and t.breach
      and t.collected_date between x.episode_start and x.episode_end + $stop_reason_days * interval 1 day
)
and not exists (
    select 1 from events v
    where v.patient_id = x.patient_id
      and v.event_date between x.episode_start and x.episode_end + $stop_reason_days * interval 1 day
      and v.event_type in ('serious_infection', 'sepsis', 'adverse_reaction', 'malignancy')
)
