-- The instance running a Started build renews heartbeat_at while it runs (a lease). A build whose heartbeat is older
-- than the lease belongs to an instance that is gone, and any instance requeues it (with a BuildRequeued event); with
-- several instances, a live one's builds are no longer requeued by another that starts.
alter table build add column heartbeat_at timestamp(6) with time zone;
update build set heartbeat_at = started_at where state = 'Started';
