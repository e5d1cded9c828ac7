-- One database per service, named after its domain as the local stack names them (slipway.db.name). The postgres
-- image runs this once, when its data volume is still empty; the services' Flyway migrations make the tables.
CREATE DATABASE build;
CREATE DATABASE deploy;
CREATE DATABASE infra;
CREATE DATABASE event;
CREATE DATABASE workload;
