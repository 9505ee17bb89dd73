-- "Your order was handled" (MG-9 system messages, MG-8 repeat medication): every status change of an order that the
-- organisation makes — by its staff in Koepel or by its own system over FHIR — tells the citizen in their tab of
-- system messages. Made by the database in the same transaction as the change (like "new data", 0032), so no path
-- can change an order without it; the message holds the status and the order's id, no medical content. The
-- citizen's own cancellation tells nobody anything.
create function koepel_order_system_message() returns trigger language plpgsql set search_path = public, pg_temp as $$
begin
  insert into system_message (citizen_id, organisation_id, kind, params)
  values (new.citizen_id, new.organisation_id, 'order-handled',
          jsonb_build_object('status', new.status, 'orderId', new.id));
  return null;
end $$;
create trigger medication_order_system_message after update of status on medication_order
  for each row
  when (new.status is distinct from old.status
        and new.status in ('question', 'approved', 'refused', 'ready', 'sent', 'delivered'))
  execute function koepel_order_system_message();
