"""``python -m kvalitet.ingest.readers --format pdf|docx|xlsx -``: the reader's child process."""

import sys

from kvalitet.ingest.readers.child import child_main

if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
