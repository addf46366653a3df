-- The forum registry ("Karta över befintliga samverkansforum"): forums, councils, networks and partnerships
-- where the municipality and civil society meet. Links to reference tables are many-to-many.

CREATE TABLE IF NOT EXISTS forums (
    id TEXT PRIMARY KEY,                 -- slug of name
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- råd | nätverk | dialogforum | referensgrupp | partnerskap | ...
    status TEXT,                         -- aktivt | under översyn | föreslaget | avslutat
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
    position INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS forum_departments (
    forum_id TEXT NOT NULL REFERENCES forums(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (forum_id, department_id)
);

CREATE TABLE IF NOT EXISTS forum_categories (
    forum_id TEXT NOT NULL REFERENCES forums(id),
    category_id TEXT NOT NULL REFERENCES categories(id),
    PRIMARY KEY (forum_id, category_id)
);

CREATE TABLE IF NOT EXISTS forum_goal_areas (
    forum_id TEXT NOT NULL REFERENCES forums(id),
    goal_area_id TEXT NOT NULL REFERENCES goal_areas(id),
    PRIMARY KEY (forum_id, goal_area_id)
);

CREATE TABLE IF NOT EXISTS forum_forms (
    forum_id TEXT NOT NULL REFERENCES forums(id),
    form_id TEXT NOT NULL REFERENCES forms(id),
    PRIMARY KEY (forum_id, form_id)
);

CREATE INDEX IF NOT EXISTS idx_forum_categories_category ON forum_categories (category_id);
CREATE INDEX IF NOT EXISTS idx_forum_goal_areas_goal ON forum_goal_areas (goal_area_id);
CREATE INDEX IF NOT EXISTS idx_forum_departments_department ON forum_departments (department_id);
CREATE INDEX IF NOT EXISTS idx_forum_forms_form ON forum_forms (form_id);
