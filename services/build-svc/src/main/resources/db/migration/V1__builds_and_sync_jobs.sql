-- build-svc's tables as Hibernate's schema-management=update made them before migrations existed (same types,
-- nullability and constraint names), which is why such an install is baselined at version 1.

create table build (
  id varchar(255) not null,
  context varchar(255),
  correlation_id varchar(255),
  digest varchar(255),
  failure_reason varchar(4000),
  finished_at timestamp(6) with time zone,
  image varchar(255) not null,
  kubefile varchar(255) not null,
  last_step varchar(1000),
  layers_built integer not null,
  layers_cached integer not null,
  no_cache boolean not null,
  push boolean not null,
  requested_at timestamp(6) with time zone not null,
  requested_by varchar(255) not null,
  started_at timestamp(6) with time zone,
  state varchar(255) not null check ((state in ('Requested','Started','Succeeded','Failed'))),
  traceparent varchar(255),
  worker varchar(255),
  primary key (id));

create table build_arg (
  build_id varchar(255) not null,
  value varchar(255),
  name varchar(255) not null,
  primary key (build_id, name));

create table build_platform (
  build_id varchar(255) not null,
  platform varchar(255));

create table sync_job (
  id varchar(255) not null,
  bytes_copied bigint,
  correlation_id varchar(255),
  failed_count integer,
  failures varchar(100000),
  finished_at timestamp(6) with time zone,
  rules varchar(100000) not null,
  requested_at timestamp(6) with time zone not null,
  requested_by varchar(255) not null,
  skipped integer not null,
  state varchar(255) not null check ((state in ('Requested','Running','Succeeded','Failed'))),
  synced integer not null,
  primary key (id));

alter table if exists build_arg add constraint FKsn80bxvhahhfbnsvcb2qa6eq8 foreign key (build_id) references build;
alter table if exists build_platform add constraint FKh58whc733dy36ubmu61p4di67 foreign key (build_id) references build;
