"""The activity history: the same activity across years and documents.

Linked by the "Kvarstår från <year>" marker and by identical or near-identical wording
(Jaccard overlap of content-word stems), so that one activity's path (planned, postponed,
done) can be shown and cited.
"""

from __future__ import annotations

import re
from collections import defaultdict

from pydantic import BaseModel

from kvalitet.search.analysis import stem, words
from kvalitet.domain.types import Passage, Source

ACTIVITY_KINDS = ("aktivitet", "uppfoljning", "analys")
_MARKER = re.compile(r"\(?\s*kvarstår\s+från\s+(?:budget\s+)?\d{4}[^)]*\)?", re.IGNORECASE)
NEAR = 0.75


def strip_carried_marker(activity: str | None) -> str:
    """The activity's text without its "(Kvarstår från 2021)" marker, stripped ("" for None)."""
    return _MARKER.sub(" ", activity or "").strip()


def normalize(activity: str) -> str:
    a = _MARKER.sub(" ", activity or "")
    a = re.sub(r"[^\w\s]", " ", a.lower())
    return re.sub(r"\s+", " ", a).strip()


def signature(activity: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(normalize(activity)) if len(w) > 2)


class ActivityView(BaseModel):
    id: str
    year: int | None
    activity: str
    goal: str | None = None
    municipal_goal: str | None = None
    committee: str | None = None
    perspective: str | None = None
    deadline: str | None = None
    postponed: bool = False
    status: str | None = None
    comment: str | None = None
    carried_from: int | None = None
    doc_kind: str
    section_kind: str
    history_id: str
    source: Source

    @classmethod
    def of(cls, p: Passage, history_id: str) -> "ActivityView":
        return cls(
            id=p.id, year=p.year, activity=p.activity or "", goal=p.goal, municipal_goal=p.municipal_goal,
            committee=p.committee, perspective=p.perspective, deadline=p.deadline, postponed=p.postponed,
            status=p.status, comment=p.comment, carried_from=p.carried_from, doc_kind=p.doc_kind,
            section_kind=p.section_kind, history_id=history_id, source=p.source,
        )


class ActivityHistory:
    def __init__(self, passages: list[Passage]):
        self.items = [p for p in passages if p.activity and p.section_kind in ACTIVITY_KINDS]
        self.by_id = {p.id: p for p in self.items}
        parent = {p.id: p.id for p in self.items}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        sigs = {p.id: signature(p.activity or "") for p in self.items}
        self.signatures = sigs
        exact: dict[str, str] = {}
        for p in self.items:
            key = normalize(p.activity or "")
            if key in exact:
                union(exact[key], p.id)
            else:
                exact[key] = p.id
        # Near-identical wording: candidates share their rarest stem.
        df: dict[str, int] = defaultdict(int)
        for s in sigs.values():
            for t in s:
                df[t] += 1
        buckets: dict[str, list[str]] = defaultdict(list)
        for pid, s in sigs.items():
            if s:
                buckets[min(s, key=lambda t: (df[t], t))].append(pid)
        for ids in buckets.values():
            if len(ids) > 200:  # too common to be a useful block
                continue
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    sa, sb = sigs[a], sigs[b]
                    if len(sa & sb) / max(1, len(sa | sb)) >= NEAR:
                        union(a, b)
        self.df = df
        self.postings: dict[str, list[str]] = defaultdict(list)
        for pid, sig in sigs.items():
            for t in sig:
                self.postings[t].append(pid)
        self.group_of = {pid: find(pid) for pid in parent}
        self.groups: dict[str, list[Passage]] = defaultdict(list)
        for p in self.items:
            self.groups[self.group_of[p.id]].append(p)
        for g in self.groups.values():
            g.sort(key=lambda p: (p.year or 0, p.doc_path, p.ordinal))

    def activities(
        self, year: int | None = None, status: str | None = None, query: str | None = None
    ) -> list[ActivityView]:
        """The activity records, oldest first, of `year`, with `status` (any wording of its
        group: "pågår" finds "Pågående" and "Pågår", status_key) and whose activity or comment
        holds `query`. Raises InvalidInput for a status neither the records nor the vocabulary
        know, listing the valid ones."""
        from kvalitet.search.retriever import VALID_FIELD_VALUES, unknown_value
        from kvalitet.search.understanding import status_key

        q = normalize(query) if query else None
        want = status_key(status) if status else None
        if want is not None:
            written = {p.status for p in self.items if p.status and p.section_kind == "aktivitet"}
            label, known = VALID_FIELD_VALUES["status"]
            if want not in {status_key(x) for x in written | set(known)}:
                raise unknown_value(label, status or "", written | set(known))
        out = []
        for p in self.items:
            if p.section_kind != "aktivitet":
                continue
            if year is not None and p.year != year:
                continue
            if want is not None and status_key(p.status) != want:
                continue
            if q and q not in normalize(p.activity or "") and q not in normalize(p.comment or ""):
                continue
            out.append(ActivityView.of(p, self.group_of[p.id]))
        out.sort(key=lambda a: (a.year or 0, a.source.path, a.source.line_start))
        return out

    def most_similar(self, activity: str, threshold: float = 0.6) -> Passage | None:
        """The record whose activity wording is most like `activity` (Jaccard of stems at least
        `threshold`), or None. Prefix filtering: a match must share one of the rarest
        m - ceil(threshold * m) + 1 stems of the m in `activity`, so only those are scanned."""
        import math

        sig = signature(activity)
        if len(sig) < 2:
            return None
        ordered = sorted(sig, key=lambda t: (self.df.get(t, 0), t))
        prefix = ordered[: len(sig) - math.ceil(threshold * len(sig)) + 1]
        candidates = {pid for t in prefix for pid in self.postings.get(t, ())}
        best, best_j = None, 0.0
        for pid in sorted(candidates):
            s = self.signatures[pid]
            j = len(sig & s) / len(sig | s)
            if j > best_j:
                best, best_j = self.by_id[pid], j
        return best if best is not None and best_j >= threshold else None

    def history(self, pid: str) -> list[ActivityView]:
        """Every record of the activity `pid` belongs to, oldest first; [] when unknown."""
        if pid not in self.group_of:
            return []
        gid = self.group_of[pid]
        return [ActivityView.of(p, gid) for p in self.groups[gid]]
