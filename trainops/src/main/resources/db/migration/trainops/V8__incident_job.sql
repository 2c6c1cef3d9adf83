-- The training job an incident belongs to, when its signals named one; signals keep theirs too.
ALTER TABLE incident ADD COLUMN job VARCHAR(200);
ALTER TABLE signal ADD COLUMN job VARCHAR(200);
