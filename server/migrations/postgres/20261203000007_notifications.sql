-- Notifications of urgent warnings: an outbox written in the transaction that opens
-- (or raises) the warning, and sent afterwards by a worker. A row is claimed by a
-- lease (owner, until), so several server processes on one database never send it
-- twice; every attempt and its outcome is kept. Times here are Unix milliseconds:
-- delivery is measured in seconds.
CREATE TABLE organization_notifications (
    organization_id BIGINT PRIMARY KEY REFERENCES organizations (id),
    webhook_url TEXT,                       -- NULL: no webhook
    webhook_format TEXT NOT NULL,           -- json | robot (WeCom / DingTalk group robot)
    updated_at BIGINT NOT NULL
);

CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    level TEXT NOT NULL,
    kind TEXT NOT NULL,                     -- warning_opened | warning_raised
    channel TEXT NOT NULL,                  -- email | webhook
    recipient TEXT NOT NULL,                -- the counselor's address or the webhook URL
    webhook_format TEXT,                    -- for webhooks, as set when written
    state TEXT NOT NULL,                    -- pending | sent | failed
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX notifications_due ON notifications (state, next_attempt_at);
CREATE INDEX notifications_by_case ON notifications (case_id);

CREATE TABLE notification_attempts (
    id BIGSERIAL PRIMARY KEY,
    notification_id BIGINT NOT NULL REFERENCES notifications (id),
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL,                  -- sent | failed
    error TEXT                              -- a short cause, never a message body
);
CREATE INDEX notification_attempts_by_notification ON notification_attempts (notification_id);
