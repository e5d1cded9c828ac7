-- What workload-svc's controllers last observed of each workload: its pods (uid and revision), the revisions it has
-- seen and the rollout's phase. A transition is an event only once: the ledger row and the outbox event are written in
-- one transaction, so a restarted or newly elected controller carries on without repeating or losing one.
create table workload_ledger (
    workload_uid varchar(64)  not null,
    entry        varchar(300) not null,
    value        varchar(2000) not null,
    updated_at   timestamptz  not null default now(),
    primary key (workload_uid, entry)
);
