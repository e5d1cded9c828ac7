-- The backbone's tables in an install from before migrations: processed_event and outbox_event as Hibernate's
-- schema-management=update created them, relay_offset as the relay's offset store created it (word for word).
create table outbox_event (id uuid not null, aggregate_id varchar(255) not null, aggregate_type varchar(255) not null, causation_id varchar(255), correlation_id varchar(255), event_type varchar(255) not null, payload bytea not null, traceparent varchar(255), primary key (id));
create table processed_event (consumer_group varchar(255) not null, event_id varchar(255) not null, offset_no bigint not null, partition_no integer not null, processed_at timestamp(6) with time zone not null, topic varchar(255) not null, primary key (consumer_group, event_id));
create table if not exists relay_offset (
  owner text not null, offset_key bytea not null, offset_value bytea,
  primary key (owner, offset_key));
