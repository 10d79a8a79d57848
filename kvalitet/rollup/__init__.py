"""The huvudman's roll-up of the units' reports: unit register, themes, counts with citations,
drafts for the huvudman's report (issue 20)."""
