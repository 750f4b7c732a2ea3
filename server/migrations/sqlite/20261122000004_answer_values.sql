-- The answers of a result as one CSV fragment in item order (empty for unasked or
-- unanswered items), written with the result so the raw-data export only concatenates.
-- NULL for results stored before this column existed: the export then reads the JSON.
ALTER TABLE results ADD COLUMN answer_values TEXT;
