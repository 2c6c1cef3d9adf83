-- Which process runs a campaign and when it last said so: a second process that resumes a
-- campaign while the first still runs it would mark the first's running stage interrupted and
-- race it to the next one. A process that stops saying so (it crashed) loses the claim.
ALTER TABLE campaign ADD COLUMN runner VARCHAR(200);
ALTER TABLE campaign ADD COLUMN heartbeat_at BIGINT;
