-- The raw-data export goes out in respondent-code order (random), never in id order
-- (arrival): ranges of codes per campaign are read through this index, compared as
-- bytes whatever the database's collation.
CREATE INDEX submissions_by_campaign_code ON submissions (campaign_id, respondent_code COLLATE "C");
