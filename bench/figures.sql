-- The aggregates of src/figures.c for the nation and one year (@YEAR@), written out for the
-- sqlite3 command-line tool (bench/figures.sh): the same statements, the same file.
SELECT COUNT(*),
  COALESCE(SUM(CASE WHEN ac.spectators_include_participants = 1 THEN CASE WHEN (ac.participants_u12 + ac.participants_12_17 + ac.participants_18_25 + ac.participants_o25) > ac.spectators THEN (ac.participants_u12 + ac.participants_12_17 + ac.participants_18_25 + ac.participants_o25) ELSE ac.spectators END ELSE (ac.participants_u12 + ac.participants_12_17 + ac.participants_18_25 + ac.participants_o25) + ac.spectators END), 0),
  COALESCE(SUM(ac.participants_u12 + ac.participants_12_17 + ac.participants_18_25 + ac.participants_o25), 0),
  COALESCE(SUM(ac.spectators), 0), COALESCE(SUM(ac.films_made), 0), COUNT(DISTINCT ac.coordination_id),
  COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM action_tags t WHERE t.action_id = ac.id AND t.kind = 'public' AND t.code = 'qpv') THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN ac.rural = 'yes' THEN 1 WHEN ac.rural = 'no' THEN 0 WHEN EXISTS (SELECT 1 FROM action_communes xc JOIN communes xm ON xm.code = xc.commune_code WHERE xc.action_id = ac.id AND xm.population < 2000) THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(ac.practice_hours), 0), COALESCE(SUM(ac.budget_requested), 0), COALESCE(SUM(ac.budget_granted), 0), COALESCE(SUM(ac.budget_cofunding), 0)
FROM actions ac WHERE ac.year = @YEAR@ AND ac.status <> 'cancelled' AND (0 = 0 OR ac.coordination_id = 0);
SELECT COUNT(DISTINCT x.commune_code) FROM action_communes x JOIN actions ac ON ac.id = x.action_id WHERE ac.year = @YEAR@ AND ac.status <> 'cancelled' AND (0 = 0 OR ac.coordination_id = 0);
SELECT ac.type, COUNT(*) FROM actions ac WHERE ac.year = @YEAR@ AND ac.status <> 'cancelled' AND (0 = 0 OR ac.coordination_id = 0) GROUP BY ac.type;
SELECT ac.month, COUNT(*) FROM actions ac WHERE ac.year = @YEAR@ AND ac.status <> 'cancelled' AND (0 = 0 OR ac.coordination_id = 0) GROUP BY ac.month;
SELECT co.slug, co.name, (SELECT COUNT(*) FROM actions ac WHERE ac.coordination_id = co.id AND ac.year = @YEAR@ AND ac.status <> 'cancelled') FROM coordinations co WHERE co.kind = 'regional' ORDER BY co.name, co.id;
SELECT c.departement_code, d.name, COUNT(DISTINCT ac.id) FROM actions ac JOIN action_communes x ON x.action_id = ac.id JOIN communes c ON c.code = x.commune_code JOIN departements d ON d.code = c.departement_code WHERE ac.year = @YEAR@ AND ac.status <> 'cancelled' AND (0 = 0 OR ac.coordination_id = 0) GROUP BY c.departement_code, d.name ORDER BY c.departement_code;
