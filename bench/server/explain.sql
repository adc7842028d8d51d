-- The reads behind the overview, queue, repositories and finding pages (crates/warden-store/src/dash.rs as of
-- commit d920836, with `finding_counts`), as an admin token sends them (scope: every repository, so the scope
-- condition is `1 = 1`), with their plans. run.sh runs this against the bench's PostgreSQL right after the
-- read-latency phase; output in bench/server/work/explain-postgres.txt. When dash.rs changes, change this too.
\timing on
\pset pager off
SELECT relname, n_live_tup, last_autovacuum, last_autoanalyze, pg_size_pretty(pg_total_relation_size(relid)) AS size
FROM pg_stat_user_tables ORDER BY n_live_tup DESC;
SELECT count(*) AS count_rows, count(DISTINCT (repo, branch)) AS branches FROM finding_counts;

\echo '--- overview 1/4: open findings by state, severity, priority, rule (from finding_counts)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT state, severity, priority, rule_id, CAST(sum(n) AS BIGINT) FROM finding_counts
WHERE state IN ('open', 'confirmed') AND 1 = 1 GROUP BY state, severity, priority, rule_id;

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

\echo '--- queue 1/2: total (from finding_counts)'
EXPLAIN (ANALYZE, BUFFERS) SELECT CAST(sum(n) AS BIGINT) FROM finding_counts WHERE state IN ('open') AND 1 = 1;

\echo '--- queue 2/2: first page'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, repo, branch, fingerprint, rule_id, title, severity, confidence, path, line,
    message, snippet, state, reason, expires, first_scan,
    COALESCE(last_scan, (SELECT max(s.id) FROM scans s WHERE s.repo = findings.repo AND s.branch = findings.branch)),
    priority, priority_reasons, owner, context
FROM findings WHERE state IN ('open') AND 1 = 1 ORDER BY priority, id LIMIT 50 OFFSET 0;

\echo '--- queue, state=open,confirmed: first page (two states: no index gives that order)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, repo, branch, fingerprint, rule_id, title, severity, confidence, path, line,
    message, snippet, state, reason, expires, first_scan,
    COALESCE(last_scan, (SELECT max(s.id) FROM scans s WHERE s.repo = findings.repo AND s.branch = findings.branch)),
    priority, priority_reasons, owner, context
FROM findings WHERE state IN ('open', 'confirmed') AND 1 = 1 ORDER BY priority, id LIMIT 50 OFFSET 0;

\echo '--- queue, page 101: offset 5000'
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, repo, branch, fingerprint, rule_id, title, severity, confidence, path, line,
    message, snippet, state, reason, expires, first_scan,
    COALESCE(last_scan, (SELECT max(s.id) FROM scans s WHERE s.repo = findings.repo AND s.branch = findings.branch)),
    priority, priority_reasons, owner, context
FROM findings WHERE state IN ('open') AND 1 = 1 ORDER BY priority, id LIMIT 50 OFFSET 5000;

\echo '--- repositories 1/2: branches (then one SELECT ... FROM scans WHERE id = ? per branch)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT s.repo, s.branch, count(*), max(s.id) FROM scans s WHERE 1 = 1 GROUP BY s.repo, s.branch ORDER BY s.repo, s.branch;
\echo '--- repositories 2/2: open counts by branch and severity'
EXPLAIN (ANALYZE, BUFFERS)
SELECT repo, branch, severity, CAST(sum(n) AS BIGINT) FROM finding_counts
WHERE state IN ('open', 'confirmed') AND 1 = 1 GROUP BY repo, branch, severity;

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
