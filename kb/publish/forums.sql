-- The forum registry ("Karta över befintliga samverkansforum"): forums, councils, networks and partnerships
-- where the municipality and civil society meet. Links to reference tables are many-to-many.

CREATE TABLE IF NOT EXISTS forums (
    id TEXT PRIMARY KEY,                 -- slug of name
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- råd | nätverk | dialogforum | referensgrupp | partnerskap | ...
    status TEXT,                         -- aktiv | engångs | avslutad | okänd (older: aktivt | under översyn | föreslaget | avslutat)
    organiser_side TEXT,                 -- kommun | civilsamhälle | gemensamt
    organiser_department_id TEXT REFERENCES departments(id),
    organiser TEXT,                      -- organiser as text (e.g. a civil-society organisation)
    purpose TEXT,
    participants TEXT,
    meets TEXT,                          -- how often it meets
    meeting_place TEXT,
    latitude REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
    longitude REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
    url TEXT,
    contact_role TEXT,                   -- a role, never a person's name
    report_says TEXT,                    -- what the report says about it
    source_id TEXT NOT NULL REFERENCES sources(id),
    web_source TEXT,                     -- address of the public page other facts come from
    last_verified TEXT,                  -- ISO date
    note TEXT,
    districts TEXT,                      -- JSON list of the stadsdelar/places the source names
    years TEXT,                          -- JSON list of the years the source speaks of
    source_date TEXT,                    -- the date the source page shows (YYYY-MM-DD or YYYY)
    source_undated INTEGER NOT NULL DEFAULT 0,  -- 1 when the page shows no date
    position INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS forum_departments (
    forum_id TEXT NOT NULL REFERENCES forums(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    basis TEXT,                          -- källan | egen tolkning | NULL (not stated)
    PRIMARY KEY (forum_id, department_id)
);

CREATE TABLE IF NOT EXISTS forum_categories (
    forum_id TEXT NOT NULL REFERENCES forums(id),
    category_id TEXT NOT NULL REFERENCES categories(id),
    basis TEXT,                          -- källan | egen tolkning | NULL (not stated)
    PRIMARY KEY (forum_id, category_id)
);

CREATE TABLE IF NOT EXISTS forum_goal_areas (
    forum_id TEXT NOT NULL REFERENCES forums(id),
    goal_area_id TEXT NOT NULL REFERENCES goal_areas(id),
    basis TEXT,                          -- källan | egen tolkning | NULL (not stated)
    PRIMARY KEY (forum_id, goal_area_id)
);

CREATE TABLE IF NOT EXISTS forum_forms (
    forum_id TEXT NOT NULL REFERENCES forums(id),
    form_id TEXT NOT NULL REFERENCES forms(id),
    basis TEXT,                          -- källan | egen tolkning | NULL (not stated)
    PRIMARY KEY (forum_id, form_id)
);

CREATE INDEX IF NOT EXISTS idx_forum_categories_category ON forum_categories (category_id);
CREATE INDEX IF NOT EXISTS idx_forum_goal_areas_goal ON forum_goal_areas (goal_area_id);
CREATE INDEX IF NOT EXISTS idx_forum_departments_department ON forum_departments (department_id);
CREATE INDEX IF NOT EXISTS idx_forum_forms_form ON forum_forms (form_id);

-- Agreements beside forums: IOPs, överenskommelser, riktlinjer and other avtal (ingest/data/agreements.yml).
CREATE TABLE IF NOT EXISTS agreements (
    id TEXT PRIMARY KEY,                 -- slug of name
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- iop | överenskommelse | riktlinje | avtal
    status TEXT,                         -- aktiv | avslutad | okänd
    parties TEXT,                        -- JSON list of organisations (never persons)
    form_id TEXT REFERENCES forms(id),   -- the collaboration form it is
    decided_by TEXT,                     -- the body that decided it, as the source says
    years TEXT,                          -- JSON list of the years the source speaks of
    url TEXT NOT NULL,                   -- the public page the facts come from
    source_date TEXT,
    source_undated INTEGER NOT NULL DEFAULT 0,
    report_says TEXT,
    note TEXT,
    source_id TEXT NOT NULL REFERENCES sources(id),
    position INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS agreement_departments (
    agreement_id TEXT NOT NULL REFERENCES agreements(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    basis TEXT,
    PRIMARY KEY (agreement_id, department_id)
);

CREATE TABLE IF NOT EXISTS agreement_categories (
    agreement_id TEXT NOT NULL REFERENCES agreements(id),
    category_id TEXT NOT NULL REFERENCES categories(id),
    basis TEXT,
    PRIMARY KEY (agreement_id, category_id)
);

CREATE TABLE IF NOT EXISTS agreement_goal_areas (
    agreement_id TEXT NOT NULL REFERENCES agreements(id),
    goal_area_id TEXT NOT NULL REFERENCES goal_areas(id),
    basis TEXT,
    PRIMARY KEY (agreement_id, goal_area_id)
);
