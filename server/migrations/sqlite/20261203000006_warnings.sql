-- Warnings (预警): a case has a level, a first-contact deadline and a history of
-- levels, interviews, referrals and visits. Levels, the interview form and referral
-- destinations are the platform's data. Rows are appended, never rewritten: a level
-- change is a new `case_levels` row, so changing the platform's levels later cannot
-- change what a warning was.
ALTER TABLE cases ADD COLUMN level TEXT NOT NULL DEFAULT 'level3';
ALTER TABLE cases ADD COLUMN level_rank BIGINT NOT NULL DEFAULT 3;   -- orders the queue
ALTER TABLE cases ADD COLUMN due_at BIGINT NOT NULL DEFAULT 0;       -- first contact due
ALTER TABLE cases ADD COLUMN next_visit_on TEXT;                     -- planned 回访, a day

-- Cases from before levels: the default mapping (critical → level1 in 30 minutes,
-- high → level2 in 24 hours, info → level3 in 72 hours).
UPDATE cases SET level = 'level' || (severity_rank + 1), level_rank = severity_rank + 1,
    due_at = opened_at + CASE severity_rank WHEN 0 THEN 1800 WHEN 1 THEN 86400 ELSE 259200 END;
CREATE INDEX cases_by_level ON cases (organization_id, level_rank, opened_at);

-- Named JSON documents of the platform: `warning_levels`, `interview_form`.
CREATE TABLE platform_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id)
);

CREATE TABLE case_levels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    at BIGINT NOT NULL,
    user_id BIGINT REFERENCES users (id),   -- NULL: opened by the screening
    from_level TEXT,                        -- NULL at opening
    to_level TEXT NOT NULL,
    reason TEXT NOT NULL,
    due_at BIGINT NOT NULL
);
CREATE INDEX case_levels_by_case ON case_levels (case_id);
INSERT INTO case_levels (case_id, at, user_id, from_level, to_level, reason, due_at)
SELECT id, opened_at, NULL, NULL, level, '', due_at FROM cases;

CREATE TABLE interviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    at BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    answers TEXT NOT NULL                   -- JSON: field id → value
);
CREATE INDEX interviews_by_case ON interviews (case_id);

CREATE TABLE referral_destinations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                     -- hospital | guidance_centre | hotline | other
    levels TEXT NOT NULL,                   -- JSON: level ids it takes
    contact TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    at BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    destination_id BIGINT NOT NULL REFERENCES referral_destinations (id),
    referred_on TEXT NOT NULL,
    note TEXT NOT NULL,
    confirmed_on TEXT,                      -- set once
    outcome TEXT                            -- set once
);
CREATE INDEX referrals_by_case ON referrals (case_id);

CREATE TABLE visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    at BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    visited_on TEXT NOT NULL,
    note TEXT NOT NULL,
    next_visit_on TEXT
);
CREATE INDEX visits_by_case ON visits (case_id);
