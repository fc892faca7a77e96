"""The main job, end to end on a self-contained face: enrol, grant, scan under two productions, verify.

The face is scikit-image's astronaut photo (NASA, public domain), standing in for a performer.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np

from greenlight.cli.common import console
from greenlight.domain import RateUnit, Use, utcnow

TALENT = "Demo Talent"
PRODUCTIONS = (("NIGHTFALL", "Nightfall, season 1"), ("DAYBREAK", "Daybreak (feature)"))


def run_demo(folder: Path | None) -> None:
    from greenlight.runtime.studio import Studio

    home = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="greenlight-demo-"))
    studio = Studio.create(home)
    console.rule("Greenlight demo")
    console.print(f"studio: {studio.home}")
    photo, clip = _demo_media(studio.home / "media")
    _cast(studio, photo)
    for code, _ in PRODUCTIONS:
        _scan(studio, clip, code)
    _screen(studio)
    with studio.transaction() as tx:
        report = tx.ledger.verify()
    console.rule("ledger")
    if report.ok:
        console.print(f"ledger verified: {report.count} entries, hash chain intact", style="green")
    else:
        console.print("ledger BROKEN: " + "; ".join(report.problems), style="red")
    console.print(f"\nTry it yourself:  export GREENLIGHT_HOME={studio.home}; greenlight talent show '{TALENT}'")


def _demo_media(folder: Path) -> tuple[Path, Path]:
    """The enrolment photo, and a short clip of the same face mirrored, graded and panned (a new take)."""
    from skimage import data

    from greenlight.media.images import save_image
    from greenlight.media.video import write_video

    folder.mkdir(parents=True, exist_ok=True)
    astronaut = data.astronaut()
    photo = folder / "astronaut.png"
    save_image(photo, astronaut)
    take = np.ascontiguousarray(astronaut[:, ::-1])
    graded = np.clip(take.astype(np.float32) * [1.05, 1.0, 0.92] + 6, 0, 255).astype(np.uint8)
    frames = (graded[20 + i : 20 + i + 384, 60 + 2 * i : 60 + 2 * i + 384] for i in range(48))
    clip = folder / "take_03.mp4"
    write_video(clip, frames, fps=24)
    return photo, clip


def _cast(studio, photo: Path) -> None:
    from greenlight.runtime.consent import GrantTerms, grant_consent
    from greenlight.runtime.registry import add_production, add_talent, enrol, protect_work

    console.rule("registry")
    for code, title in PRODUCTIONS:
        add_production(studio, code, title, "demo")
        console.print(f"production {code}: {title}")
    talent = add_talent(studio, TALENT, "demo", aliases=["the astronaut"], representative="Demo Agency")
    enrol(studio, talent, [photo], "demo")
    console.print(f"talent {TALENT}: enrolled from {photo.name}")
    terms = GrantTerms(
        use=Use.DIGITAL_ALTERATION,
        description="De-age by about fifteen years in the launch-day flashback of episode two, for streaming",
        valid_from=utcnow() - timedelta(days=1),
        valid_until=utcnow() + timedelta(days=365),
        signed_by=TALENT,
        rate="250.00",
        unit=RateUnit.PER_SECOND,
        production_code="NIGHTFALL",
    )
    grant = grant_consent(studio, talent, terms, "demo")
    console.print(f"consent {grant.id}: {grant.use.value} in NIGHTFALL only, {grant.compensation.rate} USD per second")
    protect_work(studio, "Star Voyagers", "demo", characters=["Captain Orla Vance"], owner="Another Studio")


def _scan(studio, clip: Path, production: str) -> None:
    from greenlight.cli.progress import FrameProgress
    from greenlight.cli.scan import print_decision, print_scan
    from greenlight.runtime.scanning import scan

    console.rule(f"scan under {production}")
    with FrameProgress() as report:
        outcome = scan(studio, clip, "demo", production, Use.DIGITAL_ALTERATION, progress=report)
    print_scan(outcome.scan)
    print_decision(outcome.decision)


def _screen(studio) -> None:
    from greenlight.cli.scan import print_decision
    from greenlight.runtime.scanning import screen

    console.rule("prompt screening")
    for prompt in ("the astronaut on the launch pad at dawn", "Captain Orla Vance saluting the crew"):
        console.print(f"prompt: {prompt!r}")
        print_decision(screen(studio, prompt, "NIGHTFALL", Use.DIGITAL_ALTERATION, "demo"))
