-- Careless and invalid answers: results keep their mark in the receipt's scores;
-- the aggregates count them per cell, so that prevalence can leave them out by
-- default and still show the figure with them. Earlier results are all valid.
ALTER TABLE report_cells ADD COLUMN marked BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_cells ADD COLUMN marked_positive BIGINT NOT NULL DEFAULT 0;
