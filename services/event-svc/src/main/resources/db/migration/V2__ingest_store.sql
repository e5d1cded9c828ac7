-- Where the ingest records how far it got (IngestStore). Before migrations the ingest created these tables when it
-- first ran, so an install baselined at version 1 has them if it ingested a cluster, and lacks them otherwise.

create table if not exists ingest_checkpoint (
  cluster varchar(253) not null,
  api varchar(64) not null,
  namespace varchar(253) not null,
  resource_version varchar(128) not null,
  updated_at timestamptz not null default now(),
  primary key (cluster, api, namespace));

create table if not exists ingest_seen (
  event_id uuid primary key,
  cluster varchar(253) not null,
  seen_at timestamptz not null default now());

create index if not exists ingest_seen_by_age on ingest_seen (cluster, seen_at);

create table if not exists ingest_topic_position (
  cluster varchar(253) not null,
  topic varchar(249) not null,
  partition int not null,
  next_offset bigint not null,
  primary key (cluster, topic, partition));
