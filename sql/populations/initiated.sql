-- Patients with an azathioprine initiation (a first episode).
select patient_id from initiations
