-- A pool wanted again under the id of a pool still being deleted (a cluster deleted and applied again at once) is
-- recorded on the old row and made as soon as the old one is Deleted: successor_request holds the request (JSON),
-- successor_by who asked.
alter table pool add column successor_request text;
alter table pool add column successor_by varchar(255);
