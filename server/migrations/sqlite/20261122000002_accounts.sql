-- Organizations, staff accounts, access codes, follow-up cases and the audit log.
-- Staff-side rows keep times (Unix seconds, UTC): a case must know when it became
-- overdue. The respondent's own submission row still keeps only its day.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,              -- school | employer
    created_at BIGINT NOT NULL
);

-- Campaigns from before organizations existed belong to a first organization.
INSERT INTO organizations (name, kind, created_at)
SELECT 'Demo', 'school', 0 WHERE EXISTS (SELECT 1 FROM campaigns);

ALTER TABLE campaigns ADD COLUMN organization_id BIGINT REFERENCES organizations (id);
UPDATE campaigns SET organization_id = (SELECT MIN(id) FROM organizations);
ALTER TABLE campaigns ADD COLUMN opens_on TEXT NOT NULL DEFAULT '2000-01-01';
ALTER TABLE campaigns ADD COLUMN closes_on TEXT NOT NULL DEFAULT '9999-12-31';
ALTER TABLE campaigns ADD COLUMN closed_by_admin BIGINT NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN anonymity TEXT NOT NULL DEFAULT 'anonymous';
ALTER TABLE campaigns ADD COLUMN min_group_size BIGINT NOT NULL DEFAULT 10;
ALTER TABLE campaigns ADD COLUMN consent TEXT NOT NULL DEFAULT '{}';   -- JSON: text per locale
ALTER TABLE campaigns ADD COLUMN guardian_consent BIGINT NOT NULL DEFAULT 0;
CREATE INDEX campaigns_by_organization ON campaigns (organization_id);

-- Yes/no facts of the consent step (guardian: NULL when the campaign did not ask).
ALTER TABLE submissions ADD COLUMN consent_health BIGINT NOT NULL DEFAULT 1;
ALTER TABLE submissions ADD COLUMN consent_guardian BIGINT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,      -- lower-cased
    password_hash TEXT NOT NULL,     -- argon2id PHC string
    platform_admin BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    user_id BIGINT NOT NULL REFERENCES users (id),
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    role TEXT NOT NULL,              -- org_admin | counselor
    PRIMARY KEY (user_id, organization_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,     -- SHA-256 of the cookie value; the value itself is never stored
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by BIGINT NOT NULL REFERENCES users (id),
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT
);

CREATE TABLE access_codes (
    code TEXT PRIMARY KEY,           -- 10 Crockford base32 characters
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    created_at BIGINT NOT NULL,
    submission_id BIGINT UNIQUE REFERENCES submissions (id)  -- set once, when used
);
CREATE INDEX access_codes_by_campaign ON access_codes (campaign_id);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    submission_id BIGINT NOT NULL UNIQUE REFERENCES submissions (id),
    severity_rank BIGINT NOT NULL,   -- 0 critical, 1 high, 2 info: orders the queue
    flags TEXT NOT NULL,             -- JSON: [{instrument, flag, severity, when}]
    cohort TEXT NOT NULL,            -- JSON: the submission's cohort values
    state TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    acknowledged_at BIGINT,          -- first move out of `open`
    contacted_at BIGINT,             -- first `contacted`
    finished_at BIGINT               -- `referred` or `closed`
);
CREATE INDEX cases_queue ON cases (organization_id, state, severity_rank, opened_at);
CREATE INDEX cases_by_campaign ON cases (campaign_id);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    at BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL,
    outcome TEXT
);
CREATE INDEX case_events_by_case ON case_events (case_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    user_id BIGINT REFERENCES users (id),   -- NULL: failed sign-in of an unknown account
    organization_id BIGINT,
    action TEXT NOT NULL,
    subject TEXT NOT NULL
);
CREATE INDEX audit_by_organization ON audit_log (organization_id, id);

-- The audit log is append-only, whatever code or person holds the database.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
