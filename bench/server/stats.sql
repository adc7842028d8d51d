-- Where PostgreSQL spent its time since the last reset (pg_stat_statements), heaviest first; then a reset, so
-- the next call covers the next phase. run.sh calls it after the bulk load + reads, and after the bursts.
\pset pager off
SELECT calls, round(total_exec_time::numeric / 1000, 2) AS total_s, round(mean_exec_time::numeric, 2) AS mean_ms,
       rows, regexp_replace(left(query, 150), '\s+', ' ', 'g') AS query
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15;
SELECT pg_stat_statements_reset() IS NOT NULL AS reset;
