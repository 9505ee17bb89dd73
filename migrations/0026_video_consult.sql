-- Issue 12, video consult (LU-1): the staff member of an appointment learns whose it is, to write the audit record
-- (video.join) that makes the row readable (koepel_audited), as koepel_access_request_citizen does for requests.
-- Only for the staff member the appointment is with: another employee of the organisation learns nothing (null),
-- and the appointment_staff policy still limits it to the organisation and to agenda:read.
create function koepel_video_appointment_citizen(appt uuid) returns uuid
language sql stable
set koepel.patient_search = 'on'
as $$
  select p.citizen_id from appointment p
  where koepel_principal_kind() = 'staff' and p.id = appt and p.staff_id = koepel_actor()
$$;
revoke all on function koepel_video_appointment_citizen(uuid) from public;
grant execute on function koepel_video_appointment_citizen(uuid) to koepel_app;
