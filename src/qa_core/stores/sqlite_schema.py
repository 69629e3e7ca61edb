"""The SQLite schema, as an append-only list of migrations (``PRAGMA user_version``)."""

from __future__ import annotations

# Each entry moves the schema one version up. Never edit a released entry: append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL,
        last_number INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL
    );
    CREATE INDEX sessions_by_tenant ON sessions (tenant, id);

    -- Columns hold what is searched or sorted on, the rest of a question is JSON in data.
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions (id),
        number INTEGER NOT NULL,
        state TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at REAL NOT NULL,
        votes INTEGER NOT NULL DEFAULT 0,
        pinned INTEGER NOT NULL DEFAULT 0,
        merged_into INTEGER REFERENCES questions (id),
        data TEXT NOT NULL,
        UNIQUE (session_id, number)
    );
    CREATE INDEX questions_by_votes ON questions (session_id, state, votes DESC, id);
    CREATE INDEX questions_by_pin ON questions (session_id, state, pinned DESC, votes DESC, id);
    CREATE INDEX questions_by_state ON questions (session_id, state);
    CREATE INDEX questions_by_author ON questions (session_id, author, created_at);
    CREATE INDEX questions_merged ON questions (merged_into) WHERE merged_into IS NOT NULL;

    CREATE TABLE votes (
        question_id INTEGER NOT NULL REFERENCES questions (id),
        voter TEXT NOT NULL,
        PRIMARY KEY (question_id, voter)
    );

    CREATE TABLE terms (
        session_id INTEGER NOT NULL,
        term TEXT NOT NULL,
        question_id INTEGER NOT NULL,
        PRIMARY KEY (session_id, term, question_id)
    ) WITHOUT ROWID;
    CREATE INDEX terms_by_question ON terms (question_id);

    CREATE TABLE restrictions (
        session_id INTEGER NOT NULL,
        user TEXT NOT NULL,
        restriction TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (session_id, user)
    ) WITHOUT ROWID;

    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE INDEX audit_by_session ON audit (session_id, seq);

    CREATE TABLE idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (scope, key)
    ) WITHOUT ROWID;
    """,
    # 2: per-state question counts kept by the store, so the session summary is O(1).
    """
    CREATE TABLE question_counts (
        session_id INTEGER NOT NULL,
        state TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (session_id, state)
    ) WITHOUT ROWID;
    INSERT INTO question_counts (session_id, state, count)
        SELECT session_id, state, COUNT(*) FROM questions GROUP BY session_id, state;
    """,
    # 3: tenants' own settings, and a small key-value space for adapters' state.
    """
    CREATE TABLE tenants (
        tenant TEXT PRIMARY KEY,
        data TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE adapter_values (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (scope, key)
    ) WITHOUT ROWID;
    """,
    # 4: idempotency records and adapter values can be forgotten once old.
    """
    ALTER TABLE idempotency ADD COLUMN created_at REAL NOT NULL DEFAULT 0;
    CREATE INDEX idempotency_by_age ON idempotency (created_at);
    ALTER TABLE adapter_values ADD COLUMN expires_at REAL;
    CREATE INDEX adapter_values_by_expiry ON adapter_values (expires_at)
        WHERE expires_at IS NOT NULL;
    """,
)
