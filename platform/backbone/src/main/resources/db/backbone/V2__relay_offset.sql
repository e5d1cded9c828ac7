-- The relay's Debezium offsets (PostgresOffsetBackingStore). Before migrations the store created this table when a
-- relay first started, so an install baselined at version 1 may have it already, or not (no relay ever ran there).

create table if not exists relay_offset (
  owner text not null,
  offset_key bytea not null,
  offset_value bytea,
  primary key (owner, offset_key));
