-- An image store change (tag, rmi, pull, load) is made in files, which no database transaction covers. Its intent is
-- recorded first; after the files changed, the change's ImageChanged event is appended and the intent deleted in one
-- transaction. An intent left behind (the instance died, or the database went away, in between) is settled from the
-- store itself: the event is published if, and only if, the store shows the change (ImageEvents).
create table image_change_intent (
  id uuid not null,
  action varchar(16) not null,
  image varchar(1000) not null,
  digest varchar(255),
  remote varchar(1000),
  replaced_digest varchar(255),
  actor varchar(255) not null,
  correlation_id varchar(255),
  traceparent varchar(255),
  worker varchar(255) not null,
  created_at timestamp(6) with time zone not null,
  primary key (id));
