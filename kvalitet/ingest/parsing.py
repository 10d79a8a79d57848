"""Kept as a documented re-export: the sample layouts' API and their check command.

Recognition lives in kvalitet.ingest.recognise (generic, on the document model); the sample
layouts it still chooses by evidence are in kvalitet.ingest.recognise.layouts. This module
re-exports that layouts API (detect_kind, detect_year, parse_document: the sample layouts'
own reading, which tests/unit/test_parsing.py pins down) and runs the check:

    python -m kvalitet.ingest.parsing corpus/*.txt --check tests/data/activities_checked.json

which reads each file through kvalitet.ingest.recognise.recognise (the ingest path) and
compares the activity rows with the hand-checked list.
"""

from kvalitet.ingest.recognise.layouts import (  # noqa: F401
    main as _main,
    check_activities,
    clean,
    detect_kind,
    detect_year,
    join_lines,
    parse_document,
)

if __name__ == "__main__":
    raise SystemExit(_main())
