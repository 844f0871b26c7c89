-- Senior specialists (an admin sets users.senior on agents): with the leads,
-- the second tier (L2) that an escalation of tier l2 pages (docs/ESCALATION.md).
ALTER TABLE users ADD COLUMN senior INTEGER NOT NULL DEFAULT 0;
