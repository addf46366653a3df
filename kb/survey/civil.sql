-- The civil society's own view (issue 12): the organisations' answers beside the departments'.
-- Applied by kb.survey.civil.write_civil_responses. Empty when no organisation answers are stored.
-- Small-number protection: answer-level tables (civil_answers, civil_answer_collaborations,
-- civil_answer_choices) hold only categories with at least 5 answering organisations
-- (civil_categories.shown = 1); every aggregate counts all answers, each organisation once.

CREATE TABLE civil_answers (
    id TEXT PRIMARY KEY,           -- round-number of the answer in the export
    round INTEGER NOT NULL,
    organisation_id TEXT NOT NULL, -- slug of the organisation's name, or svar-N when it gave none
    organisation TEXT,             -- the organisation's name as given (an organisation, never a person)
    category_id TEXT NOT NULL REFERENCES categories(id),
    staffed TEXT,                  -- ja | nej | NULL (no answer)
    members TEXT,                  -- member band id (ingest/reference/member_bands.yml)
    occasions INTEGER,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE civil_answer_collaborations (
    answer_id TEXT NOT NULL REFERENCES civil_answers(id),
    round INTEGER NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments(id),
    form_id TEXT NOT NULL REFERENCES forms(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (answer_id, department_id, form_id)
);

CREATE TABLE civil_answer_choices (
    answer_id TEXT NOT NULL REFERENCES civil_answers(id),
    round INTEGER NOT NULL,
    question TEXT NOT NULL,        -- goal_area | target_group | forum
    choice_id TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (answer_id, question, choice_id)
);

CREATE TABLE civil_categories (
    round INTEGER NOT NULL,
    category_id TEXT NOT NULL REFERENCES categories(id),
    organisations INTEGER NOT NULL, -- distinct organisations that answered in the category
    answers INTEGER NOT NULL,
    shown INTEGER NOT NULL,         -- 1 when its answers are shown one by one (>= 5 organisations)
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, category_id)
);

-- The organisation-side edge: category -> department in a form, counted once per organisation.
CREATE TABLE civil_edges (
    round INTEGER NOT NULL,
    category_id TEXT NOT NULL REFERENCES categories(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    form_id TEXT NOT NULL REFERENCES forms(id),
    organisations INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, category_id, department_id, form_id)
);

CREATE TABLE civil_choice_counts (
    round INTEGER NOT NULL,
    question TEXT NOT NULL,         -- goal_area | target_group | forum | members | staffed
    choice_id TEXT NOT NULL,
    choice TEXT NOT NULL,
    organisations INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, question, choice_id)
);

CREATE TABLE civil_statements (
    id TEXT PRIMARY KEY,
    round INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('svarighet', 'positivt')),
    category_id TEXT REFERENCES categories(id), -- NULL when the category has fewer than 5 organisations
    text TEXT NOT NULL,             -- NFC-normalised, personal data redacted
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE INDEX idx_civil_edges_department ON civil_edges (round, department_id, form_id);
CREATE INDEX idx_civil_statements_round_kind ON civil_statements (round, kind);

-- Each civil round beside the department round it is compared with: the same year, else the latest before.
CREATE VIEW perspective_rounds AS
SELECT c.round,
       (SELECT MAX(r.round) FROM responses r WHERE r.round <= c.round) AS department_round,
       SUM(c.organisations) AS organisations,
       SUM(c.answers) AS answers
FROM civil_categories c
GROUP BY c.round;

-- Every (category, department, form) that either side reports, with both sides' counts. Only pairs
-- both sides could report: the category has answering organisations and the department answered.
CREATE VIEW perspective_pairs AS
WITH department_side AS (
    SELECT p.round, x.category_id, x.department_id, x.form_id
    FROM perspective_rounds p JOIN collaborations x ON x.round = p.department_round
),
pairs AS (
    SELECT round, category_id, department_id, form_id FROM department_side
    UNION
    SELECT round, category_id, department_id, form_id FROM civil_edges
)
SELECT k.round, p.department_round,
       CASE WHEN EXISTS (SELECT 1 FROM sources s JOIN responses r ON r.source_id = s.id
                         WHERE r.round = p.department_round AND s.kind = 'rekonstruktion')
            THEN 'rekonstruktion' ELSE 'enkatexport' END AS department_basis,
       k.category_id, cat.name AS category, k.department_id, d.name AS department, k.form_id, f.name AS form,
       CASE WHEN ds.form_id IS NULL THEN 0 ELSE 1 END AS department_reports,
       COALESCE(e.organisations, 0) AS organisations_reporting,
       cc.organisations AS category_organisations,
       CASE WHEN ds.form_id IS NOT NULL AND e.organisations > 0 THEN 'båda'
            WHEN ds.form_id IS NOT NULL THEN 'bara förvaltningen'
            ELSE 'bara civilsamhället' END AS agreement
FROM pairs k
JOIN perspective_rounds p ON p.round = k.round
JOIN civil_categories cc ON cc.round = k.round AND cc.category_id = k.category_id
JOIN responses rr ON rr.round = p.department_round AND rr.department_id = k.department_id
JOIN categories cat ON cat.id = k.category_id
JOIN departments d ON d.id = k.department_id
JOIN forms f ON f.id = k.form_id
LEFT JOIN department_side ds ON ds.round = k.round AND ds.category_id = k.category_id
     AND ds.department_id = k.department_id AND ds.form_id = k.form_id
LEFT JOIN civil_edges e ON e.round = k.round AND e.category_id = k.category_id
     AND e.department_id = k.department_id AND e.form_id = k.form_id
WHERE cc.organisations > 0;

-- Agreement per category: how many pairs both sides report, and how many only one side.
CREATE VIEW perspective_agreement AS
SELECT round, department_round, department_basis, category_id, category,
       SUM(agreement = 'båda') AS both_sides,
       SUM(agreement = 'bara förvaltningen') AS department_side_only,
       SUM(agreement = 'bara civilsamhället') AS civil_side_only,
       ROUND(CAST(SUM(agreement = 'båda') AS REAL) / COUNT(*), 3) AS agreement_share
FROM perspective_pairs
GROUP BY round, category_id
ORDER BY round, agreement_share DESC, category_id;
