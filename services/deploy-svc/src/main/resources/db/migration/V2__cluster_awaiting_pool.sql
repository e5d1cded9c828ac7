-- A cluster whose Clusterfile has an infra section waits for infra-svc's pool before its operation can be claimed:
-- awaiting_pool names the pool (null when nothing is awaited).
alter table deploy_cluster add column awaiting_pool varchar(255);
