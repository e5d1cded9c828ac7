-- DedupRetention deletes each consumer group's old ids in small batches; this index finds them without a scan.
create index if not exists processed_event_group_time on processed_event (consumer_group, processed_at);
