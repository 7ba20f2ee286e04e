"""Where the miner's view of the world comes from: the OEIS files, the program corpus files, b-files.

Reading and parsing only; storing what is read is `miner.service.refresh`'s job.
"""

from miner.sources.bfile import fetch_bfile, parse_bfile
from miner.sources.http import CorruptDownload, Download, Fetcher, FetchError, SourceUnavailable, fetch_settings
from miner.sources.oeis import ParseReport, SourceFormatError, iter_sequences

__all__ = [
    "CorruptDownload", "Download", "FetchError", "Fetcher", "ParseReport", "SourceFormatError",
    "SourceUnavailable", "fetch_bfile", "fetch_settings", "iter_sequences", "parse_bfile",
]
