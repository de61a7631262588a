-- rule: EARLY_DISCONTINUATION
-- severity: info
-- population: ended_episode
-- requires: events
-- fires when: an episode that is not active lasted under $min_treatment_days days
--   (episode_end - episode_start + 1 < $min_treatment_days) with no cytopenia, no liver toxicity and no
--   serious infection inside it: no interpretable WBC/neutrophil/lymphocyte/platelet count below its
--   limit, no ALT/AST above its limit (the limits of CYTOPENIA_ON_TREATMENT and
--   LIVER_TOXICITY_ON_TREATMENT) and no serious_infection or sepsis event in [episode_start, episode_end].
--   The conditions are computed from the data, not from other rules' findings. Any serious infection or
--   sepsis counts as a reason to stop (the guidance says stop at once), whether or not azathioprine was
--   restarted afterwards. Requires the events file: without it an infection cannot be excluded, and a
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
        || $min_treatment_days || ' recommended) with no cytopenia, liver toxicity or serious infection on'
        || ' record: document the reason for stopping, or consider resuming.' as detail
from ended x
where not exists (
    select 1 from lab_results r
    where r.patient_id = x.patient_id
      and r.collected_date between x.episode_start and x.episode_end
      and r.unit_status = 'ok'
      and r.value_canonical < case r.analyte
              when 'WBC' then $wbc_low
              when 'NEUTROPHILS' then $neutrophils_low
              when 'LYMPHOCYTES' then $lymphocytes_low
              when 'PLATELETS' then $platelets_low
          end
)
and not exists (
    select 1 from lab_results r
    where r.patient_id = x.patient_id
      and r.collected_date between x.episode_start and x.episode_end
      and r.unit_status = 'ok'
      and r.value_canonical > case r.analyte when 'ALT' then $alt_high when 'AST' then $ast_high end
)
and not exists (
    select 1 from events v
    where v.patient_id = x.patient_id
      and v.event_date between x.episode_start and x.episode_end
      and v.event_type in ('serious_infection', 'sepsis')
)
