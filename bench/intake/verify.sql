-- Every 2xx id returned during the run (table bench_ids, one number per row, "MISSING" if the answer
-- had no id) must be a demand with its Open311 row and its `demand.create` audit entry (written by
-- the request), and — once the intake worker has drained the backlog — settled: routed (router
-- version set), checked for repeats, with its one outcome entry (`demand.route`,
-- `demand.duplicate` or `demand.dispatch`), and, if it was dispatched, its notification queued.
-- run.sh loads the answers into bench_ids(raw) first.
CREATE TEMP VIEW got AS SELECT raw FROM bench_ids;
CREATE TEMP TABLE ids AS SELECT raw::bigint AS id FROM got WHERE raw ~ '^[0-9]+$';
\pset footer off
\pset tuples_only off
\pset format aligned
SELECT
  (SELECT count(*) FROM got)                                   AS answers_2xx,
  (SELECT count(*) FROM got WHERE raw !~ '^[0-9]+$')           AS without_id,
  (SELECT count(DISTINCT id) FROM ids)                         AS distinct_ids,
  (SELECT count(*) FROM ids LEFT JOIN demands_demand d ON d.id = ids.id WHERE d.id IS NULL)
                                                               AS missing_in_db,
  (SELECT count(*) FROM ids JOIN demands_demand d ON d.id = ids.id WHERE d.intake_pending)
                                                               AS still_pending,
  (SELECT count(*) FROM ids JOIN demands_demand d ON d.id = ids.id WHERE d.intake_attempts > 0)
                                                               AS retried,
  (SELECT count(*) FROM ids JOIN demands_demand d ON d.id = ids.id WHERE d.router_version = '')
                                                               AS not_routed,
  (SELECT count(*) FROM ids WHERE NOT EXISTS (SELECT 1 FROM open311_open311request r WHERE r.demand_id = ids.id))
                                                               AS no_open311_row,
  (SELECT count(*) FROM ids WHERE NOT EXISTS (SELECT 1 FROM audit_auditentry a
     WHERE a.object_type = 'demand' AND a.object_id = ids.id::text AND a.action = 'demand.create'
       AND a.data->>'service_code' IS NOT NULL))               AS no_audit_create,
  (SELECT count(*) FROM ids WHERE (SELECT count(*) FROM audit_auditentry a
     WHERE a.object_type = 'demand' AND a.object_id = ids.id::text
       AND a.action IN ('demand.route', 'demand.duplicate', 'demand.dispatch')
       AND a.data->>'intake' = 'settled') <> 1)                AS not_one_outcome_entry;
SELECT
  count(*) FILTER (WHERE d.duplicate_of_id IS NOT NULL)        AS duplicates_linked,
  count(*) FILTER (WHERE d.dispatched_at IS NOT NULL)          AS auto_dispatched,
  count(*) FILTER (WHERE d.dispatched_at IS NULL AND d.duplicate_of_id IS NULL) AS left_for_operator,
  count(*) FILTER (WHERE d.place_id IS NOT NULL)               AS placed,
  count(*) FILTER (WHERE d.dispatched_at IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM notify_notification n
      WHERE n.event = 'demand_dispatched' AND n.link = '/demands/' || d.id || '/'))
                                                               AS dispatched_without_notification,
  count(*) FILTER (WHERE d.dispatched_at IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM audit_auditentry a WHERE a.object_type = 'demand'
      AND a.object_id = d.id::text AND a.action = 'demand.dispatch'))
                                                               AS dispatched_without_audit,
  count(*) FILTER (WHERE d.duplicate_of_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM audit_auditentry a WHERE a.object_type = 'demand'
      AND a.object_id = d.id::text AND a.action = 'demand.duplicate'))
                                                               AS duplicate_without_audit,
  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (
      SELECT max(a.at) FROM audit_auditentry a WHERE a.object_type = 'demand'
      AND a.object_id = d.id::text) - d.created_at)))::int     AS median_s_to_settled
FROM ids JOIN demands_demand d ON d.id = ids.id;
