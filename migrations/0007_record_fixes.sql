-- Fixes to the record schema found while building on it.

-- A DocumentReference re-sent with fewer attachments must lose the extra ones: the API client may delete the
-- attachments of its own organisation's resources (the record_attachment_org policy already limits which rows).
grant delete on record_attachment to koepel_app;

-- Staff could never use this policy: PostgreSQL applies SELECT policies to the rows a DELETE ... WHERE reads, and
-- staff cannot select api_token. Revoking a client deletes its tokens as the 'api-auth' system principal instead.
drop policy api_token_admin on api_token;
