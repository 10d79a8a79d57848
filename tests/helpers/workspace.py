"""Helpers for the workspace tests: real Services over a tmp SQLite database, and suggestions
built as the drafter builds them (our own types, no mocks)."""

from __future__ import annotations

import itertools
from pathlib import Path

from kvalitet.settings import Settings
from kvalitet.container import Services
from kvalitet.domain.types import Citation, Grounding, Source, Suggestion

_ids = itertools.count(1)


def make_settings(tmp_path: Path, **kw) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    return Settings(index_dir=tmp_path / "index", corpus_dir=corpus, embedder="hash", **kw)


def pid(n: int) -> str:
    return f"p_{n:016x}"


def citation(n: int, quote: str = "Q4 Pågående", path: str = "2019-uppfoljning-verksamhetsplan.txt") -> Citation:
    return Citation(passage_id=pid(n), quote=quote, source=Source(path=path, page=None, line_start=10 + n, line_end=11 + n))


def suggestion(kind: str, text: str, cites: list[int] = (), generator: str = "extractive") -> Suggestion:
    return Suggestion(
        id=f"s_test{next(_ids)}", kind=kind, text=text, generator=generator, prompt_version=None,
        citations=[citation(n) for n in cites], grounding=Grounding(supported=True),
    )


class World:
    """Services plus one user per role (rektor of "Åbyskolan", rektor of "Byskolan")."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.svc = Services(settings)
        self.ws = self.svc.workspace
        self.tokens: dict[str, str] = {}
        for name, role, unit in (
            ("rektor", "rektor", "Åbyskolan"),
            ("rektor2", "rektor", "Byskolan"),
            ("granskare", "granskare", None),
            ("kvalitet", "kvalitetsutvecklare", None),
            ("admin", "admin", None),
        ):
            self.tokens[name] = self.ws.add_user(name, role, unit).token
        self.users = {name: self.ws.authenticate(tok) for name, tok in self.tokens.items()}

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def report(self, kind: str = "verksamhetsplan_uppfoljning", title: str = "Uppföljning av verksamhetsplan 2024"):
        return self.ws.create_report(title, kind, 2024, None, self.rektor)

    def close(self) -> None:
        self.svc.close()


ACCEPTED = "Samverkan med högskolan har gett gemensamma kurser för lärarna."


def reviewed(world, kind: str = "aktivitetsuppfoljning", title: str = "Uppföljning av fjolårets aktiviteter"):
    """A report of two activities, each with a cited follow-up and an analysis pending review;
    returns (report, {n: (follow-up, analysis)})."""
    ws = world.ws
    rep = ws.create_report(title, kind, 2024, None, world.rektor)
    suggestions = {}
    for n, activity in enumerate(("Utveckla samarbete med högskolan", "Minska frånvaron i åk 7–9"), 1):
        it = ws.add_item(rep.id, {"activity": activity, "status": "Pågående", "perspective": "Medborgare",
                                  "committee": "BoU", "deadline": "December"}, world.rektor)
        up, an = ws.add_suggestions(rep.id, it.id, [
            suggestion("uppfoljning", (ACCEPTED if n == 1 else f"Uppföljning {n}.") + f" [{pid(n)}]", [n]),
            suggestion("analys", f"Avvisad analys {n}."),
        ], world.rektor)
        suggestions[n] = (up, an)
    return rep, suggestions


def review_all(world, suggestions):
    """The reviewer accepts every follow-up and rejects every analysis of `reviewed`."""
    for up, an in suggestions.values():
        world.ws.accept(up.id, world.granskare, expected_version=up.version)
        world.ws.reject(an.id, world.granskare, expected_version=an.version)


def at_once(n: int, call) -> dict[int, object]:
    """Run call(0) … call(n - 1) in n threads released together (a barrier): {i: what call(i)
    returned, or the exception it raised}. Waits up to 60 s for each thread."""
    import threading

    barrier = threading.Barrier(n)
    results: dict[int, object] = {}

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
