-- The backbone tests' application's own table: one row per application of a test event's effect (TestEffect).
create table test_effect (
  id uuid not null primary key,
  event_id varchar(255) not null,
  build_id varchar(255) not null
);
