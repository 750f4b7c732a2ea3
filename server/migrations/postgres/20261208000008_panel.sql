-- The same person across waves. An organization's code book holds persistent
-- pseudonymous codes; the school writes outside Xin'an which code is whose. A panel
-- campaign's submission records the book code it was made with, once per campaign, so
-- one code's results link across campaigns and years. Xin'an never holds a name.
CREATE TABLE panel_codes (
    code TEXT PRIMARY KEY,                  -- 10 Crockford base32 characters
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    created_at BIGINT NOT NULL,
    retired_at BIGINT                       -- the person left; no new submissions
);
CREATE INDEX panel_codes_by_organization ON panel_codes (organization_id, created_at);

ALTER TABLE submissions ADD COLUMN panel_code TEXT;
CREATE UNIQUE INDEX submissions_panel_once ON submissions (campaign_id, panel_code);
CREATE INDEX submissions_by_panel_code ON submissions (panel_code);

-- What the respondent is shown after submitting: `full`, `band` or `none`. Campaigns
-- from before keep showing the full result, as they did.
ALTER TABLE campaigns ADD COLUMN result_visibility TEXT NOT NULL DEFAULT 'full';
