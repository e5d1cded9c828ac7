-- deploy-svc's tables as Hibernate's schema-management=update made them before migrations existed (same types,
-- nullability and constraint names), which is why such an install is baselined at version 1.

create table deploy_cluster (
  name varchar(255) not null,
  clusterfile text not null,
  correlation_id varchar(255),
  generation bigint not null,
  image varchar(255),
  image_digest varchar(255),
  message varchar(4000),
  operation varchar(255) check ((operation in ('RUN','APPLY','JOIN','REMOVE','RESET','DELETE'))),
  operation_force boolean,
  operation_hosts varchar(4000),
  pending boolean not null,
  request_id varchar(255),
  requested_by varchar(255),
  state varchar(255) not null check ((state in ('Installing','Upgrading','Scaling','Deleting','Ready','Degraded','Failed','Deleted'))),
  traceparent varchar(255),
  updated_at timestamp(6) with time zone,
  worker varchar(255),
  primary key (name));

create table deploy_host (
  id varchar(255) not null,
  cluster varchar(255) not null,
  error varchar(4000),
  installed_digest varchar(255),
  ip varchar(255) not null,
  position integer not null,
  roles varchar(255) not null,
  state varchar(255) not null check ((state in ('Pending','Joining','Member','Failed','Removing'))),
  step varchar(255),
  updated_at timestamp(6) with time zone,
  primary key (id));

create table deploy_host_step (
  id varchar(255) not null,
  bytes_sent bigint,
  cluster varchar(255) not null,
  detail varchar(4000),
  generation bigint not null,
  ip varchar(255) not null,
  revision varchar(255) not null,
  state varchar(255) not null check ((state in ('Started','Completed','Failed'))),
  step varchar(255) not null,
  updated_at timestamp(6) with time zone,
  primary key (id));

create table known_build (
  build_id varchar(255) not null,
  digest varchar(255),
  events_applied integer not null,
  failure_reason varchar(4000),
  image varchar(255) not null,
  last_event_id varchar(255),
  last_event_type varchar(255),
  requested_at timestamp(6) with time zone,
  requested_by varchar(255),
  state varchar(255),
  primary key (build_id));
