-- The patients worklist.html shows (the $n most urgent): what the issue, test and timeline queries read.
create or replace temp table worklist_shown as
select patient_id, urgency from worklist_patients where urgency <= $n
