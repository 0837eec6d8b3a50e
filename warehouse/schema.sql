-- The warehouse: one DuckDB file in the home. Tables are replaced whole by each refresh, in one
-- transaction; keys are checked by the validation gate rather than by constraints, so a refresh
-- can delete and re-insert the same keys in one transaction.

CREATE TABLE IF NOT EXISTS documents (
    doc_id        VARCHAR NOT NULL,   -- sha256 hex of the normalised text
    source        VARCHAR NOT NULL,   -- file name or URL as given
    title         VARCHAR,
    content_type  VARCHAR NOT NULL,
    url           VARCHAR,            -- canonical URL when the source names one
    published     VARCHAR,            -- publication date when the source names one
    n_chars       BIGINT NOT NULL,
    retrieved_at  TIMESTAMPTZ NOT NULL,
    text          VARCHAR NOT NULL    -- the text of record; evidence offsets point into it
);

CREATE TABLE IF NOT EXISTS claims (
    claim_id          VARCHAR NOT NULL,
    doc_id            VARCHAR NOT NULL,
    subject           VARCHAR NOT NULL,
    attribute         VARCHAR NOT NULL,
    value             VARCHAR NOT NULL,
    negated           BOOLEAN NOT NULL,
    hedged            BOOLEAN NOT NULL,
    evidence          VARCHAR NOT NULL,
    char_start        BIGINT NOT NULL,
    char_end          BIGINT NOT NULL,
    n_mentions        BIGINT NOT NULL,
    extractor_version VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS comparisons (
    comparison_id     VARCHAR NOT NULL,
    doc_id            VARCHAR NOT NULL,
    subject           VARCHAR NOT NULL,
    attribute         VARCHAR NOT NULL,
    relation          VARCHAR NOT NULL,
    object            VARCHAR NOT NULL,
    negated           BOOLEAN NOT NULL,
    hedged            BOOLEAN NOT NULL,
    evidence          VARCHAR NOT NULL,
    char_start        BIGINT NOT NULL,
    char_end          BIGINT NOT NULL,
    n_mentions        BIGINT NOT NULL,
    extractor_version VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS quarantine (
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    detail         VARCHAR,
    doc_id         VARCHAR,
    quarantined_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS furniture (
    run_id        VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL,
    lines_dropped BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    run_id          VARCHAR NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    outcome         VARCHAR NOT NULL,  -- running | published | unchanged | blocked | failed
    n_documents     BIGINT,
    n_quarantined   BIGINT,
    n_claims        BIGINT,
    n_comparisons   BIGINT,
    version         VARCHAR,
    message         VARCHAR
);

-- Extraction results per document, keyed by (doc_id, extractor_version): a refresh extracts only
-- documents it has not seen with this extractor (the version hashes the code and the ontology).
CREATE TABLE IF NOT EXISTS extracted_documents (
    doc_id            VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    n_claims          BIGINT NOT NULL,
    n_comparisons     BIGINT NOT NULL,
    extracted_at      TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS cached_claims AS SELECT * FROM claims LIMIT 0;
CREATE TABLE IF NOT EXISTS cached_comparisons AS SELECT * FROM comparisons LIMIT 0;
