"""Results over the years: indicator series from reports and from Kolada, as figures and sentences.

- values.py   reading figures as reports write them ("29,1 %", ">80", "minst 85 %")
- model.py    Series, Point, ValueSource (each value cites its document line or Kolada)
- series.py   indicator records joined across years (matching changed wordings)
- kolada.py   Kolada values from the API or an exported file into the results tables
- charts.py   server-rendered charts (SVG for the web, PNG for Word) with alt text and data table
- service.py  ResultsService: list, show, import, fetch, correct the matching, describe in Swedish
"""

from kvalitet.results.model import KOLADA_LABEL, Point, Series, ValueSource
from kvalitet.results.service import ImportSummary, ResultsService

__all__ = ["KOLADA_LABEL", "ImportSummary", "Point", "ResultsService", "Series", "ValueSource"]
