-- Running aggregates for population reports, updated in the transaction of every
-- submission, so a report costs as much as the number of groups, not of submissions.
-- One row per campaign, instrument, full set of cohort values (`cohort_key`, canonical
-- JSON) and band ('' = not scorable).
CREATE TABLE report_cells (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    instrument TEXT NOT NULL,
    cohort_key TEXT NOT NULL,
    band TEXT NOT NULL,
    n BIGINT NOT NULL,
    positive BIGINT NOT NULL,
    critical BIGINT NOT NULL,
    total_sum DOUBLE PRECISION NOT NULL,
    total_sum_sq DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (campaign_id, instrument, cohort_key, band)
);

-- Moments of other variables per group: `sub:ID` subscale scores; over complete
-- responses only, `item:ID` scored item values and `items` their sum (Cronbach's alpha).
CREATE TABLE report_moments (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    instrument TEXT NOT NULL,
    cohort_key TEXT NOT NULL,
    variable TEXT NOT NULL,
    n BIGINT NOT NULL,
    value_sum DOUBLE PRECISION NOT NULL,
    value_sum_sq DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (campaign_id, instrument, cohort_key, variable)
);

-- Campaigns whose aggregates must be rebuilt from their stored results (those that
-- existed before this migration); the server does it at start-up.
CREATE TABLE report_rebuild (campaign_id BIGINT PRIMARY KEY);
INSERT INTO report_rebuild (campaign_id) SELECT id FROM campaigns;
