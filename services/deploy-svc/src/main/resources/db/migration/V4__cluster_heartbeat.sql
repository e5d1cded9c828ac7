-- The instance whose worker holds a pending operation renews heartbeat_at while it runs (a lease). An operation whose
-- heartbeat is older than the lease belongs to an instance that is gone, and any instance releases it to resume from
-- its completed steps; with several instances, one starting no longer releases another's running operations.
alter table deploy_cluster add column heartbeat_at timestamp(6) with time zone;
update deploy_cluster set heartbeat_at = now() where pending and worker is not null;
