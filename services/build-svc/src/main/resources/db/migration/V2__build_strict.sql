-- A build may be strict (fail when a container image cannot be cached), and how many images could not be is kept, so
-- that a client can say plainly that an image is not offline-complete.
alter table build add column strict boolean not null default false;
alter table build add column images_unresolved integer not null default 0;
