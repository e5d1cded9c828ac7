-- Named secrets that Clusterfiles reference by name (secret:<name> in a dollar-brace reference), so CI commands and their DLQ carry no secret:
-- the value is sealed by deploy-svc (SecretBox) before it is written.
create table deploy_secret (
  name varchar(63) primary key,
  value text not null,
  updated_by varchar(255),
  updated_at timestamp with time zone not null
);
