-- Views that recompute the report's tables from the response-level tables.
-- Only rounds with response rows (table `responses`) appear. Column names are a public contract.

CREATE VIEW response_rounds AS
SELECT r.round, r.departments
FROM rounds r
WHERE r.round IN (SELECT round FROM responses);

CREATE VIEW category_measures AS
SELECT
    r.round,
    c.id AS category_id,
    c.name AS category,
    COUNT(DISTINCT x.department_id) AS departments,
    COUNT(DISTINCT x.form_id) AS forms,
    COUNT(x.form_id) AS reported_forms,
    r.departments AS round_departments,
    c.position
FROM response_rounds r
CROSS JOIN categories c
LEFT JOIN collaborations x ON x.round = r.round AND x.category_id = c.id
GROUP BY r.round, c.id;

CREATE VIEW table1_departments_per_category AS
SELECT rr.round, m.category_id, m.category, m.departments
FROM category_measures m JOIN rounds rr ON rr.round = m.round
ORDER BY rr.round, m.departments DESC, m.position;

CREATE VIEW table2_forms_per_category AS
SELECT rr.round, m.category_id, m.category, m.departments, m.forms
FROM category_measures m JOIN rounds rr ON rr.round = m.round
ORDER BY rr.round, m.forms DESC, m.departments DESC, m.position;

CREATE VIEW table3_average_per_category AS
SELECT
    rr.round, m.category_id, m.category, m.departments, m.forms, m.reported_forms,
    ROUND(CAST(m.reported_forms AS REAL) / m.round_departments, 1) AS average_all,
    CAST(m.reported_forms AS REAL) / m.round_departments AS average_all_exact
FROM category_measures m JOIN rounds rr ON rr.round = m.round
ORDER BY rr.round, m.reported_forms DESC, m.position;

CREATE VIEW table4_average_per_collaborating AS
SELECT
    rr.round, m.category_id, m.category, m.departments, m.forms, m.reported_forms,
    ROUND(CAST(m.reported_forms AS REAL) / NULLIF(m.departments, 0), 1) AS average_collaborating,
    CAST(m.reported_forms AS REAL) / NULLIF(m.departments, 0) AS average_collaborating_exact
FROM category_measures m JOIN rounds rr ON rr.round = m.round
ORDER BY rr.round, average_collaborating_exact DESC, m.position;

CREATE VIEW table5_reports_per_form AS
SELECT rr.round, f.id AS form_id, f.name AS form, COUNT(x.form_id) AS reported
FROM response_rounds r
JOIN rounds rr ON rr.round = r.round
CROSS JOIN forms f
LEFT JOIN collaborations x ON x.round = r.round AND x.form_id = f.id
GROUP BY rr.round, f.id
ORDER BY rr.round, reported DESC, f.position;

CREATE VIEW table6_departments_per_goal_area AS
SELECT rr.round, g.id AS goal_area_id, g.name AS goal_area, COUNT(x.department_id) AS departments
FROM response_rounds r
JOIN rounds rr ON rr.round = r.round
CROSS JOIN goal_areas g
LEFT JOIN department_goal_areas x ON x.round = r.round AND x.goal_area_id = g.id
GROUP BY rr.round, g.id
ORDER BY rr.round, departments DESC, g.position;

CREATE VIEW table7_funding AS
SELECT f.round, d.id AS department_id, d.name AS department, f.amount_sek, f.status, f.source_id
FROM funding f JOIN departments d ON d.id = f.department_id
ORDER BY f.round, d.position;

CREATE VIEW table8_staffed_share AS
SELECT s.round, d.id AS department_id, d.name AS department, s.share_percent, s.status, s.source_id
FROM staffed_share s JOIN departments d ON d.id = s.department_id
ORDER BY s.round, d.position;

CREATE VIEW diagram1_department_overview AS
SELECT
    rr.round, d.id AS department_id, d.name AS department,
    COUNT(DISTINCT x.category_id) AS categories,
    COUNT(DISTINCT x.form_id) AS forms,
    COUNT(x.form_id) AS reported_forms
FROM responses p
JOIN rounds rr ON rr.round = p.round
JOIN departments d ON d.id = p.department_id
LEFT JOIN collaborations x ON x.round = p.round AND x.department_id = p.department_id
GROUP BY rr.round, d.id
ORDER BY rr.round, reported_forms DESC, d.position;

-- ---------------------------------------------------------------- rounds over time (issue 11)
-- NULL, never 0, where a round did not ask the question.

CREATE VIEW occasions_per_form AS
SELECT r.round, f.id AS form_id, f.name AS form,
    SUM(o.occasions) AS occasions,
    COUNT(o.occasions) AS departments_answered
FROM response_rounds r
CROSS JOIN forms f
LEFT JOIN collaboration_occasions o ON o.round = r.round AND o.form_id = f.id
GROUP BY r.round, f.id
ORDER BY r.round, f.position;

-- A department's occasions of a form count under every category it uses the form with.
CREATE VIEW occasions_per_category AS
SELECT r.round, c.id AS category_id, c.name AS category,
    SUM(o.occasions) AS occasions,
    COUNT(DISTINCT o.department_id) AS departments_answered
FROM response_rounds r
CROSS JOIN categories c
LEFT JOIN collaborations x ON x.round = r.round AND x.category_id = c.id
LEFT JOIN collaboration_occasions o
    ON o.round = x.round AND o.department_id = x.department_id AND o.form_id = x.form_id
GROUP BY r.round, c.id
ORDER BY r.round, c.position;

CREATE VIEW target_groups_per_department AS
SELECT p.round, d.id AS department_id, d.name AS department,
    CASE WHEN EXISTS (SELECT 1 FROM department_target_groups a WHERE a.round = p.round)
         THEN COUNT(t.target_group_id) END AS target_groups,
    GROUP_CONCAT(g.name, '; ') AS target_group_names
FROM responses p
JOIN departments d ON d.id = p.department_id
LEFT JOIN department_target_groups t ON t.round = p.round AND t.department_id = p.department_id
LEFT JOIN target_groups g ON g.id = t.target_group_id
GROUP BY p.round, d.id
ORDER BY p.round, d.position;

-- Departments that collaborate with the category and reached the target group (an inference through
-- departments: target groups are answered per department, not per category).
CREATE VIEW target_groups_per_category AS
SELECT x.round, c.id AS category_id, c.name AS category, g.id AS target_group_id, g.name AS target_group,
    COUNT(DISTINCT x.department_id) AS departments
FROM collaborations x
JOIN department_target_groups t ON t.round = x.round AND t.department_id = x.department_id
JOIN categories c ON c.id = x.category_id
JOIN target_groups g ON g.id = t.target_group_id
GROUP BY x.round, c.id, g.id
ORDER BY x.round, c.position, g.position;
