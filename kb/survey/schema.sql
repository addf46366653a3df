-- Samverkan KB schema: reference tables, the report's published figures, response-level tables.
-- `round` is the survey year as an INTEGER everywhere. Every row that comes from somewhere names it (source_id).

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,            -- rapport | enkatexport | rekonstruktion | webbsida | registerfil
    title TEXT NOT NULL,
    publisher TEXT,
    url TEXT,
    note TEXT
);

CREATE TABLE rounds (
    round INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    departments INTEGER NOT NULL,  -- departments that answered: the divisor of Table 3
    survey_tool TEXT,
    note TEXT,
    note_url TEXT,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE value_statuses (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL
);

CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    aliases TEXT,
    description TEXT,
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE categories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    aliases TEXT,
    description TEXT,
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE forms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    aliases TEXT,
    description TEXT,
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE goal_areas (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    aliases TEXT,
    description TEXT,
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE development_areas (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    "references" TEXT,
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE questions (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    measures TEXT,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE statements (
    id TEXT PRIMARY KEY,
    round INTEGER NOT NULL REFERENCES rounds(round),
    kind TEXT NOT NULL CHECK (kind IN ('svarighet', 'positivt')),
    department_id TEXT REFERENCES departments(id),
    question_id TEXT REFERENCES questions(id),
    text TEXT NOT NULL,            -- NFC-normalised, personal data redacted
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE published_figures (
    id TEXT PRIMARY KEY,
    round INTEGER NOT NULL REFERENCES rounds(round),
    table_no INTEGER,              -- NULL for a figure stated in the text
    reference TEXT NOT NULL,       -- "Tabell 3" or "Text"
    section TEXT NOT NULL,
    title TEXT NOT NULL,
    row_kind TEXT NOT NULL,
    row_id TEXT NOT NULL,
    row_label TEXT NOT NULL,       -- the row as printed
    measure TEXT NOT NULL,
    column_heading TEXT,
    printed TEXT NOT NULL,         -- the figure exactly as printed
    value REAL,
    decimals INTEGER,
    status TEXT NOT NULL REFERENCES value_statuses(id),
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE known_inconsistencies (
    id TEXT PRIMARY KEY,
    check_id TEXT,
    rows TEXT,
    tolerance_total REAL,
    published REAL,
    computed REAL,
    explanation TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

-- Response level: which departments answered a round, and with how many respondents.
CREATE TABLE responses (
    round INTEGER NOT NULL REFERENCES rounds(round),
    department_id TEXT NOT NULL REFERENCES departments(id),
    respondents INTEGER,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, department_id)
);

CREATE TABLE collaborations (
    round INTEGER NOT NULL REFERENCES rounds(round),
    department_id TEXT NOT NULL REFERENCES departments(id),
    category_id TEXT NOT NULL REFERENCES categories(id),
    form_id TEXT NOT NULL REFERENCES forms(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, department_id, category_id, form_id)
);

CREATE TABLE department_goal_areas (
    round INTEGER NOT NULL REFERENCES rounds(round),
    department_id TEXT NOT NULL REFERENCES departments(id),
    goal_area_id TEXT NOT NULL REFERENCES goal_areas(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, department_id, goal_area_id)
);

CREATE TABLE funding (
    round INTEGER NOT NULL REFERENCES rounds(round),
    department_id TEXT NOT NULL REFERENCES departments(id),
    amount_sek INTEGER,
    status TEXT NOT NULL REFERENCES value_statuses(id),
    printed TEXT,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, department_id)
);

CREATE TABLE staffed_share (
    round INTEGER NOT NULL REFERENCES rounds(round),
    department_id TEXT NOT NULL REFERENCES departments(id),
    share_percent REAL,
    status TEXT NOT NULL REFERENCES value_statuses(id),
    printed TEXT,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, department_id)
);

CREATE TABLE ingests (
    id TEXT PRIMARY KEY,           -- round and sha256 of the file
    round INTEGER NOT NULL REFERENCES rounds(round),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    departments INTEGER NOT NULL,
    ingested_at TEXT,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE build_info (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE INDEX idx_collaborations_category ON collaborations (round, category_id);
CREATE INDEX idx_collaborations_form ON collaborations (round, form_id);
CREATE INDEX idx_department_goal_areas_goal ON department_goal_areas (round, goal_area_id);
CREATE INDEX idx_statements_round_kind ON statements (round, kind);
CREATE INDEX idx_published_figures_table ON published_figures (round, table_no, row_id);

-- ---------------------------------------------------------------- rounds over time (issue 11)
-- The organisation per round (validity of each department, lineage between departments) and the
-- questions asked from the round after 2022 on. Rounds that did not ask a question have no rows here.

CREATE TABLE department_validity (
    department_id TEXT PRIMARY KEY REFERENCES departments(id),
    first_round INTEGER,           -- first round the department exists in
    last_round INTEGER,            -- last round; NULL = not known to have ended
    source TEXT NOT NULL           -- ingest/reference/departments.yml:<line>
);

CREATE TABLE department_lineage (
    predecessor_id TEXT NOT NULL REFERENCES departments(id),
    successor_id TEXT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL CHECK (kind IN ('same', 'renamed', 'merged', 'split', 'part')),
    round INTEGER,                 -- the successor's first round
    source_url TEXT NOT NULL,      -- where the change is stated
    note TEXT,
    source_file TEXT NOT NULL,     -- ingest/reference/lineage.yml:<line>
    position INTEGER NOT NULL,
    PRIMARY KEY (predecessor_id, successor_id)
);

CREATE TABLE target_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    aliases TEXT,
    position INTEGER NOT NULL,
    source TEXT NOT NULL           -- ingest/reference/target_groups.yml (questionnaire options)
);

CREATE TABLE collaboration_occasions (
    round INTEGER NOT NULL REFERENCES rounds(round),
    department_id TEXT NOT NULL REFERENCES departments(id),
    form_id TEXT NOT NULL REFERENCES forms(id),
    occasions INTEGER NOT NULL CHECK (occasions >= 0),
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, department_id, form_id)
);

CREATE TABLE department_target_groups (
    round INTEGER NOT NULL REFERENCES rounds(round),
    department_id TEXT NOT NULL REFERENCES departments(id),
    target_group_id TEXT NOT NULL REFERENCES target_groups(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, department_id, target_group_id)
);

CREATE TABLE respondent_functions (
    round INTEGER NOT NULL REFERENCES rounds(round),
    department_id TEXT NOT NULL REFERENCES departments(id),
    function TEXT NOT NULL,        -- a role (e.g. enhetschef), never a name
    position INTEGER NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    PRIMARY KEY (round, department_id, position)
);
