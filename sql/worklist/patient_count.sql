select count(*) from worklist_patients
