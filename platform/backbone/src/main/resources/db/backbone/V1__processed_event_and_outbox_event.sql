-- The backbone's tables as Hibernate's schema-management=update made them in every install before migrations
-- existed (same types, nullability and constraint names), which is why such an install is baselined at version 1.

create table processed_event (
  consumer_group varchar(255) not null,
  event_id varchar(255) not null,
  offset_no bigint not null,
  partition_no integer not null,
  processed_at timestamp(6) with time zone not null,
  topic varchar(255) not null,
  primary key (consumer_group, event_id));

create table outbox_event (
  id uuid not null,
  aggregate_id varchar(255) not null,
  aggregate_type varchar(255) not null,
  causation_id varchar(255),
  correlation_id varchar(255),
  event_type varchar(255) not null,
  payload bytea not null,
  traceparent varchar(255),
  primary key (id));
