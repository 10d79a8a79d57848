"""Kvalitet: drafting help for Swedish school follow-ups and quality reports.

The package by stage, in the order a document and a question travel (README: "How it works";
each layer imports only those below it, tests/unit/test_architecture.py):

    domain/     the project's types and one vocabulary (kinds, statuses, sections, roles)
    adapters/   the only importers of Chroma, BM25, the embedders, LangChain and Kolada's API
    storage/    the database: engine, tables, migrations
    ingest/     file -> readers/ (document model: headings, paragraphs, lists, tables with
                pages and lines) -> recognise/ (records of any layout) -> passages in the index
    search/     Swedish analysis, the index (catalog + vectors + BM25), hybrid retrieval, history
    results/    indicator series over the years from documents and Kolada, charts
    drafting/   evidence per section, extractive and LLM drafts, grounding, prompts
    workspace/  reports, review, carry-forward, import, jobs, uploads, exports (Word/HTML/MD)
    chat/       the assistant and its tools (with or without an LLM)
    rollup/     the huvudman's roll-up of the units' reports
    ops/        backup and restore, logging, evaluations
    container   builds each part once per process
    api/ web/ cli/   the JSON API, the Swedish web pages, the command line
    app         the served app: the API with the web pages mounted (on top)
    errors, settings, pii   shared by all
"""

__version__ = "0.1.0"
