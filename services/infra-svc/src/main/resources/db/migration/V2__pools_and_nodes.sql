-- Pools of nodes and the journal of create calls (issue 12). A pool is the aggregate: its nodes change only with it,
-- and every infra event is keyed by the pool id.

create table pool (
    id              varchar(64)   primary key,
    provider        varchar(100)  not null,
    -- Requested (being provisioned) -> Ready | Failed; any of them -> Deleting -> Deleted
    state           varchar(20)   not null,
    requested_by    varchar(200)  not null,
    requested_at    timestamptz   not null,
    correlation_id  varchar(100),
    traceparent     varchar(100),
    -- the instance (host/pid/start) provisioning or deleting it, and until when it holds the pool: an instance renews
    -- its lease while it works, so a pool whose instance died is taken over once the lease runs out
    worker          varchar(300),
    lease_until     timestamptz,
    ready_at        timestamptz,
    finished_at     timestamptz,
    failure_reason  varchar(4000)
);
create index pool_state on pool (state);

create table pool_role (
    pool_id  varchar(64)  not null references pool (id),
    role     varchar(64)  not null,
    count    integer      not null,
    size     varchar(100),
    image    varchar(200),
    primary key (pool_id, role)
);

create table pool_node (
    -- <pool>/<role>-<ordinal>
    id              varchar(200)  primary key,
    pool_id         varchar(64)   not null references pool (id),
    role            varchar(64)   not null,
    ordinal         integer       not null,
    -- Requested -> Creating -> Launched -> Running -> Ready; Failed (then replaced: Creating again); Released
    state           varchar(20)   not null,
    -- the idempotency token of the create that makes (made) it, and which create of this node that is
    token           varchar(64),
    attempt         integer       not null,
    instance_id     varchar(200),
    address         varchar(100),
    ssh_port        integer,
    host_key        varchar(4000),
    failure_reason  varchar(4000),
    updated_at      timestamptz   not null
);
create index pool_node_pool on pool_node (pool_id);
create index pool_node_token on pool_node (token);

-- Every create call, recorded (with its NodeCreating events) before the call goes out: a restarted infra-svc repeats
-- these calls under the same tokens, and the provider answers the nodes it made instead of making new ones.
create table pool_create (
    token          varchar(64)   primary key,
    pool_id        varchar(64)   not null references pool (id),
    role           varchar(64)   not null,
    count          integer       not null,
    size           varchar(100),
    image          varchar(200),
    issued_at      timestamptz   not null
);
create index pool_create_pool on pool_create (pool_id);
