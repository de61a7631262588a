-- worklist_patients: the care team's worklist, one row per patient with at least one finding on the worklist
-- (current, not under an exception that counts), in order of urgency: a critical finding first, then the most
-- days overdue, then new, then the patient id. The treatment picture is the patient's latest episode:
-- its latest regimen (daily dose, mg/kg at the weight of its start), the cumulative dose, the TPMT phenotype,
-- and, per monitored group, the last test and the next due date (induction: the end of the next window with
-- no test; after it, the last point + $maintenance_max_gap_days; none when the episode is not active).
create or replace table worklist_patients as
with open_findings as (
    select f.*, t.state, t.days_open, t.days_overdue, t.review_status, t.still_open_after_action, c.title,
           case f.severity when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4
                           when 'info' then 5 else 6 end as severity_rank
    from findings f join finding_tracking t using (finding_id) join rule_catalog c using (rule_id)
    where t.on_worklist
),
latest_episode as (
    select e.* from episodes e
    where e.patient_id in (select patient_id from open_findings)
    qualify row_number() over (partition by e.patient_id order by e.episode_start desc) = 1
),
latest_regimen as (
    select r.* from regimens r join latest_episode e using (patient_id, episode_start)
    where r.regimen_start <= $as_of
    qualify row_number() over (partition by r.patient_id order by r.regimen_start desc) = 1
),
cumulative as (
    select patient_id, sum(coalesce(total_mg, 0)) / 1000.0 as cumulative_g
    from aza_prescriptions
    where start_date <= $as_of and patient_id in (select patient_id from open_findings)
    group by patient_id
),
tpmt as (
    select patient_id, arg_max(phenotype, collected_date) as latest_phenotype
    from tpmt_results
    where collected_date <= $as_of and phenotype is not null
      and patient_id in (select patient_id from open_findings)
    group by patient_id
),
per_patient as (
    select
        patient_id,
        any_value(site_id) as site_id,
        min(severity_rank) as top_severity_rank,
        count(*) as open_findings,
        max(days_overdue) as days_overdue,
        max(days_open) as days_open,
        bool_or(state in ('new', 'escalated')) as has_new,
        bool_or(state = 'escalated') as has_escalated,
        bool_or(review_status is null) as has_unreviewed,
        bool_or(still_open_after_action) as still_open_after_action,
        list(distinct rule_id order by rule_id) as rules,
        string_agg(
            upper(severity) || ': ' || title
            || coalesce(' (' || test || ')', '')
            || case state when 'new' then ', new' when 'escalated' then ', escalated' else
                   ', open ' || days_open || ' days' end
            || coalesce(', ' || review_status, ''),
            '; ' order by severity_rank, days_overdue desc nulls last, rule_id, test) as issues_text
    from open_findings o
    group by patient_id
)
select
    p.patient_id, p.site_id,
    case p.top_severity_rank when 1 then 'critical' when 2 then 'high' when 3 then 'medium' when 4 then 'low'
                             else 'info' end as top_severity,
    p.top_severity_rank, p.open_findings, p.days_overdue, p.days_open, p.has_new, p.has_escalated,
    p.has_unreviewed, p.still_open_after_action, p.rules, p.issues_text,
    e.episode_start, e.episode_end, coalesce(e.is_active, false) as on_treatment,
    r.regimen_start, r.daily_dose_mg, r.mg_per_kg, r.weight_kg,
    round(c.cumulative_g, 1) as cumulative_g,
    coalesce(et.phenotype, t.latest_phenotype, 'not tested') as tpmt_phenotype,
    pt.death_date,
    row_number() over (order by p.top_severity_rank = 1 desc, p.days_overdue desc nulls last, p.has_new desc,
                                p.top_severity_rank, p.patient_id) as urgency
from per_patient p
left join latest_episode e using (patient_id)
left join latest_regimen r using (patient_id)
left join cumulative c using (patient_id)
left join tpmt t using (patient_id)
left join episode_tpmt et on et.patient_id = p.patient_id and et.episode_start = e.episode_start
left join patients pt on pt.patient_id = p.patient_id;

-- worklist_tests: per worklist patient and monitored group, the last test and the next due date
create or replace table worklist_tests as
with wp as (
    select patient_id, episode_start, on_treatment from worklist_patients
),
last_test as (
    select b.patient_id, b.test, max(b.test_date) as last_test
    from blood_tests b
    where b.test_date <= $as_of and b.patient_id in (select patient_id from wp)
    group by all
),
episode_info as (
    select e.patient_id, e.episode_start, e.maintenance_start
    from episodes e join wp using (patient_id, episode_start)
),
induction_due as (
    select ei.patient_id, m.test,
           min(ei.episode_start + w.end_offset) as next_window_end
    from episode_info ei
    cross join monitored_tests m
    join schedule_windows w on ei.episode_start + w.end_offset >= $as_of
    where not exists (
        select 1 from blood_tests b
        where b.patient_id = ei.patient_id and b.test = m.test
          and b.test_date between ei.episode_start + w.start_offset and ei.episode_start + w.end_offset)
    group by all
)
select
    wp.patient_id, m.test, m.label, m.short, m.position,
    lt.last_test,
    case when not wp.on_treatment then null
         when ind.next_window_end is not null then ind.next_window_end
         else (mp.last_point + $maintenance_max_gap_days * interval 1 day)::date
    end as next_due
from wp
cross join monitored_tests m
left join last_test lt on lt.patient_id = wp.patient_id and lt.test = m.test
left join induction_due ind on ind.patient_id = wp.patient_id and ind.test = m.test
left join monitoring_last_points mp on mp.patient_id = wp.patient_id and mp.episode_start = wp.episode_start
    and mp.test = m.test;
