-- The warehouse: one DuckDB file in the home. The current corpus is replaced by each refresh, in one
-- transaction; keys are checked by the validation gate rather than by constraints, so a refresh
-- can delete and re-insert the same keys in one transaction.

CREATE TABLE IF NOT EXISTS documents (
    doc_id        VARCHAR NOT NULL,   -- sha256 hex of the normalised text
    source        VARCHAR NOT NULL,   -- file name or URL as given
    origin        VARCHAR,            -- the manifest entry or argument it was read through
    title         VARCHAR,
    content_type  VARCHAR NOT NULL,
    url           VARCHAR,            -- canonical URL when the source names one
    published     VARCHAR,            -- publication date when the source names one
    n_chars       BIGINT NOT NULL,
    retrieved_at  TIMESTAMPTZ NOT NULL,
    text          VARCHAR NOT NULL    -- the text of record; evidence offsets point into it
);

CREATE TABLE IF NOT EXISTS quarantine (
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    origin         VARCHAR,
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
CREATE TABLE IF NOT EXISTS cached_claims (
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

CREATE TABLE IF NOT EXISTS cached_comparisons (
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

-- The extractor version the loaded corpus was extracted with (one row, set by each load).
CREATE TABLE IF NOT EXISTS current_extraction (
    extractor_version VARCHAR NOT NULL
);

-- Pages fetched by URL: the validators for conditional requests (ETag, Last-Modified) and what the
-- reader made of the page, so that a 304 Not Modified is answered from here without downloading.
CREATE TABLE IF NOT EXISTS fetched_pages (
    source        VARCHAR NOT NULL,   -- the URL as given
    origin        VARCHAR,
    content_type  VARCHAR NOT NULL,
    title         VARCHAR,
    url           VARCHAR,            -- canonical URL, or the URL after redirects
    published     VARCHAR,
    text          VARCHAR NOT NULL,
    retrieved_at  TIMESTAMPTZ NOT NULL,   -- when the body was last downloaded
    etag          VARCHAR,
    last_modified VARCHAR,
    checked_at    TIMESTAMPTZ NOT NULL    -- when the server was last asked
);

-- Files read before, by path, size and modification time (and the reading code's version): what
-- reading and cleaning made of each, so a refresh reads only new and changed files. A file yields
-- candidate documents (read_documents), a quarantine row (read_refusals) or both empty; furniture
-- lines dropped are kept per file to count them for every run.
CREATE TABLE IF NOT EXISTS read_files (
    path           VARCHAR NOT NULL,
    size           BIGINT NOT NULL,
    mtime_ns       BIGINT NOT NULL,
    reader_version VARCHAR NOT NULL,
    origin         VARCHAR,
    read_at        TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS read_documents AS SELECT ''::VARCHAR AS path, * FROM documents LIMIT 0;
CREATE TABLE IF NOT EXISTS read_refusals AS SELECT ''::VARCHAR AS path, * EXCLUDE (run_id) FROM quarantine LIMIT 0;
CREATE TABLE IF NOT EXISTS read_furniture (
    path          VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    origin        VARCHAR,
    rule          VARCHAR NOT NULL,
    lines_dropped BIGINT NOT NULL
);

-- Warehouses created before a column existed gain it here (CREATE TABLE IF NOT EXISTS keeps old shapes).
ALTER TABLE documents ADD COLUMN IF NOT EXISTS origin VARCHAR;
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS origin VARCHAR;
-- the hashes of a read document's long paragraphs (transforms.clean.paragraph_keys): near-duplicates
-- are found on these, without the text of documents read before
ALTER TABLE read_documents ADD COLUMN IF NOT EXISTS paragraph_keys UBIGINT[];
-- A digest of every input a run read (see transforms.ingest.inputs_fingerprint): equal inputs, same result.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS input_fingerprint VARCHAR;

-- The current corpus's claims and comparisons: the cached results of the loaded documents under the
-- loaded extractor version. Views, not copies: a document's cached rows for one version never change
-- (doc_id is the text's hash, and a version extracts a document once), so copying them into tables of
-- their own wrote 4.4 million claims a second time on a full refresh of 100,000 documents (7-8 s of the
-- load). Warehouses from before hold them as tables, dropped first (see warehouse.store.connect).
CREATE OR REPLACE VIEW claims AS
    SELECT c.* FROM cached_claims c SEMI JOIN documents d USING (doc_id)
    WHERE c.extractor_version = (SELECT any_value(extractor_version) FROM current_extraction);
CREATE OR REPLACE VIEW comparisons AS
    SELECT c.* FROM cached_comparisons c SEMI JOIN documents d USING (doc_id)
    WHERE c.extractor_version = (SELECT any_value(extractor_version) FROM current_extraction);
