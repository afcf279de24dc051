-- Every 2xx id returned during the run (table bench_ids, one number per row, "MISSING" if the answer
-- had no id) must be a demand, routed, with its Open311 row and its audit entries, and, if it
-- was dispatched, with its notification queued.
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
  (SELECT count(*) FROM ids JOIN demands_demand d ON d.id = ids.id WHERE d.router_version = '')
                                                               AS not_routed,
  (SELECT count(*) FROM ids WHERE NOT EXISTS (SELECT 1 FROM open311_open311request r WHERE r.demand_id = ids.id))
                                                               AS no_open311_row,
  (SELECT count(*) FROM ids WHERE NOT EXISTS (SELECT 1 FROM audit_auditentry a
     WHERE a.object_type = 'demand' AND a.object_id = ids.id::text AND a.action = 'demand.create'))
                                                               AS no_audit_create,
  (SELECT count(*) FROM ids WHERE NOT EXISTS (SELECT 1 FROM audit_auditentry a
     WHERE a.object_type = 'demand' AND a.object_id = ids.id::text AND a.action = 'open311.request'))
                                                               AS no_audit_open311;
SELECT
  count(*) FILTER (WHERE d.duplicate_of_id IS NOT NULL)        AS duplicates_linked,
  count(*) FILTER (WHERE d.dispatched_at IS NOT NULL)          AS auto_dispatched,
  count(*) FILTER (WHERE d.dispatched_at IS NULL AND d.duplicate_of_id IS NULL) AS left_for_operator,
  count(*) FILTER (WHERE d.dispatched_at IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM notify_notification n
      WHERE n.event = 'demand_dispatched' AND n.link = '/demands/' || d.id || '/'))
                                                               AS dispatched_without_notification,
  count(*) FILTER (WHERE d.dispatched_at IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM audit_auditentry a WHERE a.object_type = 'demand'
      AND a.object_id = d.id::text AND a.action = 'demand.dispatch'))
                                                               AS dispatched_without_audit
FROM ids JOIN demands_demand d ON d.id = ids.id;
