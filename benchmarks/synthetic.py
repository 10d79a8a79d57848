"""A synthetic corpus built from the sample text: follow-ups of activity plans in the 2022
format (tab-separated rows under perspective headings), with activities, goals and comments
recombined from the real sentences so that vocabulary and lengths stay realistic."""

from __future__ import annotations

import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PERSPECTIVES = ["Samhälle", "Medborgare", "Ekonomi", "Verksamhet", "Medarbetare"]
STATUSES = ["Pågående", "Genomfört", "Kvarstår", "Pausad", "Klart"]
DEADLINES = ["December", "Juni", "September", "Q4", "Q2", "Förskjuts till 2023*", "Augusti", "December*"]
COMMITTEES = ["BiN", "BoU", "BiN, BoU"]


def _phrases() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt")))
    text = re.sub(r"<[^>]+>", " ", text)
    parts = re.split(r"(?<=[.!?])\s+|\t|\n{2,}", text)
    out = []
    for p in parts:
        p = " ".join(p.split())
        if 30 <= len(p) <= 220 and not p.startswith(("Nämndmål", "Kommunövergripande")):
            out.append(p.rstrip("."))
    return out


def generate(target_dir: Path, passages: int, rows_per_doc: int = 200, seed: int = 7) -> int:
    """Writes documents until about `passages` activity rows exist. Returns the row count."""
    rng = random.Random(seed)
    phrases = _phrases()
    target_dir.mkdir(parents=True, exist_ok=True)
    made, doc = 0, 0
    while made < passages:
        year = 2015 + doc % 10
        lines = [f"Uppföljning av förvaltningens verksamhetsplan {year}", ""]
        rows_here = min(rows_per_doc, passages - made)
        per_perspective = max(1, rows_here // len(PERSPECTIVES))
        written = 0
        for persp in PERSPECTIVES:
            if written >= rows_here:
                break
            lines += [persp, "", f"Kommunövergripande mål: {rng.choice(phrases)[:60]}", "",
                      "Nämndmål\tAktivitet\tNämnd\tSlutfört\tStatus\tKommentar"]
            for i in range(per_perspective if persp != PERSPECTIVES[-1] else rows_here - written):
                goal = rng.choice(phrases)[:80] if i % 6 == 0 else ""
                activity = f"{rng.choice(phrases)} (nr {doc}-{written})"
                comment = rng.choice(phrases) if rng.random() < 0.6 else ""
                lines.append("\t".join([goal, activity, rng.choice(COMMITTEES), rng.choice(DEADLINES),
                                        rng.choice(STATUSES), comment]))
                written += 1
            lines.append("")
        (target_dir / f"syntetisk-{doc:05d}.txt").write_text("\n".join(lines), encoding="utf-8")
        made += written
        doc += 1
    return made


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(generate(Path(sys.argv[1]), int(sys.argv[2])))
