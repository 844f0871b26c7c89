-- The workspace views count open tickets per assignee ("mine") and without one
-- ("unassigned"): with the status in the index both are index-only range scans,
-- however many closed tickets an agent has accumulated.
CREATE INDEX tickets_assignee_status ON tickets (assignee_id, status);
