-- The reads behind the overview and queue pages and the finding page (crates/warden-store/src/dash.rs), as an
-- admin token sends them (scope: every repository, so the scope condition is `1 = 1`), with their plans.
-- run.sh runs this against the bench's PostgreSQL right after the read-latency phase; output in
-- bench/server/work/explain-postgres.txt.
\timing on
\pset pager off
SELECT relname, n_live_tup, last_autovacuum, last_autoanalyze, pg_size_pretty(pg_total_relation_size(relid)) AS size
FROM pg_stat_user_tables ORDER BY n_live_tup DESC;

\echo '--- overview 1/4: open findings by state, severity, priority, rule'
EXPLAIN (ANALYZE, BUFFERS)
SELECT state, severity, priority, rule_id, count(*) FROM findings WHERE state IN ('open', 'confirmed') AND 1 = 1
GROUP BY state, severity, priority, rule_id;

\echo '--- overview 2/4: repositories'
EXPLAIN (ANALYZE, BUFFERS) SELECT count(DISTINCT repo) FROM scans WHERE 1 = 1;

\echo '--- overview 3/4: trend'
EXPLAIN (ANALYZE, BUFFERS)
SELECT substr(started_at, 1, 10) AS day, CAST(sum(new_count) AS BIGINT), CAST(sum(fixed_count) AS BIGINT),
       CAST(sum(reopened_count) AS BIGINT)
FROM scans WHERE 1 = 1 GROUP BY substr(started_at, 1, 10) ORDER BY day DESC LIMIT 90;

\echo '--- overview 4/4: time to fix (most recent fixes)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT s.started_at, a.at FROM audit a
JOIN findings f ON f.fingerprint = a.finding JOIN scans s ON s.id = f.first_scan
WHERE a.action = 'fix' AND 1 = 1 ORDER BY a.seq DESC LIMIT 2000;

\echo '--- queue 1/2: count'
EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM findings WHERE state IN ('open') AND 1 = 1;

\echo '--- queue 2/2: first page'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, repo, branch, fingerprint, rule_id, title, severity, confidence, path, line,
    message, snippet, state, reason, expires, first_scan,
    COALESCE(last_scan, (SELECT max(s.id) FROM scans s WHERE s.repo = findings.repo AND s.branch = findings.branch)),
    priority, priority_reasons, owner, context
FROM findings WHERE state IN ('open') AND 1 = 1 ORDER BY priority, id LIMIT 50 OFFSET 0;

\echo '--- finding page: the finding, then its history'
SELECT max(id) / 2 AS fid FROM findings \gset
SELECT fingerprint AS ffp FROM findings WHERE id = :fid \gset
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, repo, branch, fingerprint, rule_id, title, severity, confidence, path, line,
    message, snippet, state, reason, expires, first_scan,
    COALESCE(last_scan, (SELECT max(s.id) FROM scans s WHERE s.repo = findings.repo AND s.branch = findings.branch)),
    priority, priority_reasons, owner, context
FROM findings WHERE id = :fid;
EXPLAIN (ANALYZE, BUFFERS)
SELECT seq, at, actor, action, finding, from_state, to_state, reason, expires, prev_hash, hash FROM audit
WHERE finding = :'ffp' ORDER BY seq;
