-- Campaigns and anonymized submissions. No column may hold a name, an address, a
-- user agent or a time of day: the day of submission is the finest time stored.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,              -- JSON: text per locale
    locales TEXT NOT NULL,           -- JSON: array of locale tags
    crisis_resources TEXT NOT NULL,  -- JSON: text per locale
    min_age INTEGER NOT NULL,          -- respondents' ages: every instrument must be
    max_age INTEGER NOT NULL,          -- validated for all of them
    created_on TEXT NOT NULL         -- YYYY-MM-DD
);

CREATE TABLE campaign_instruments (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    position INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (campaign_id, position),
    UNIQUE (campaign_id, instrument)
);

CREATE TABLE cohort_attributes (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    position INTEGER NOT NULL,
    attribute TEXT NOT NULL,
    label TEXT NOT NULL,             -- JSON: text per locale
    allowed TEXT NOT NULL,           -- JSON: array of allowed values
    PRIMARY KEY (campaign_id, attribute)
);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    respondent_code TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    request_digest TEXT NOT NULL,    -- SHA-256 of the request, to refuse a reused key
    receipt TEXT NOT NULL,           -- JSON: the exact answer, returned again on a retry
    submitted_on TEXT NOT NULL       -- YYYY-MM-DD (UTC), never a time of day
);

CREATE TABLE submission_cohort (
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    attribute TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (submission_id, attribute)
);

CREATE TABLE results (
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    position INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    version TEXT NOT NULL,
    engine TEXT NOT NULL,
    answers TEXT NOT NULL,           -- JSON: answer per item id
    total DOUBLE PRECISION,          -- NULL: not scorable (too many items unanswered)
    band TEXT,
    flags TEXT NOT NULL,             -- JSON: array of flag ids
    subscales TEXT NOT NULL,         -- JSON: subscale scores by id
    PRIMARY KEY (submission_id, position)
);
CREATE INDEX results_by_instrument ON results (instrument, band);
