-- Every version of the routing document (route tree, receivers, kube-eventer sinks); the newest is the highest
-- version, and every instance routes by it (RouteStore). PUT /api/v1/sinks/routes and an import of the routes file
-- add one, with its RoutesChanged event in the same transaction. The document holds the receivers' secrets, so it is
-- sealed (AES-256-GCM, the service's sealing key); the digest is an HMAC under the same key, so equal documents are
-- recognised without a digest that could test guesses of a secret.

create table route_version (
  version bigint primary key,
  document text not null,
  digest varchar(64) not null,
  changed_by varchar(512) not null,
  changed_at timestamp(6) with time zone not null);

-- the last version imported from a given routes file
create index route_version_by_changer on route_version (changed_by, version);
