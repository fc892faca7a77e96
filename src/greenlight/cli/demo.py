"""The main job, end to end on a self-contained face, then a VFX shot on a plate the project makes.

Enrol a performer, grant consent for one production, scan a take under two productions (allow, block),
screen prompts, de-age the performer under the guards, approve, export a signed deliverable, verify it,
and verify the ledger. The face is scikit-image's astronaut photo (NASA, public domain), standing in
for a performer. Last, a building collapses on a procedural street plate under the same guards, and a
contact sheet of the shot is written.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np

from greenlight.cli.common import console
from greenlight.domain import Job, RateUnit, Use, utcnow

TALENT = "Demo Talent"
PRODUCTIONS = (("NIGHTFALL", "Nightfall, season 1"), ("DAYBREAK", "Daybreak (feature)"))


def run_demo(folder: Path | None) -> None:
    from greenlight.provenance import init_keys
    from greenlight.runtime.signing import keys_folder
    from greenlight.runtime.studio import Studio

    home = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="greenlight-demo-"))
    studio = Studio.create(home)
    console.rule("Greenlight demo")
    console.print(f"studio: {studio.home}")
    if not keys_folder(studio).exists():
        identity = init_keys(keys_folder(studio), "Greenlight demo studio")
        with studio.transaction() as tx:  # on the record, as `keys init` does: checkpoints are signed from here
            tx.begins_checkpoints = "keys"
            tx.ledger_event("keys.created", "keys", "demo", signer=identity.subject,
                            organisation="Greenlight demo studio")
    photo, take = demo_media(studio.home / "media")
    talent = _cast(studio, photo)
    for code, _ in PRODUCTIONS:
        _scan(studio, take, code)
    _screen(studio)
    _deage(studio, talent, take)
    _moodboard(studio, studio.home / "media" / "library")
    _collapse(studio, studio.home / "media")
    _verify_ledger(studio)
    command = Path(sys.executable).with_name("greenlight")  # the venv's, which a new shell has not on its PATH
    command = command if command.is_file() else "greenlight"
    console.print(f"\nTry it yourself:  export GREENLIGHT_HOME={studio.home}; {command} jobs list")


def demo_media(folder: Path) -> tuple[Path, Path]:
    """The enrolment photo, and a short take of the same face mirrored, graded and panned."""
    from skimage import data

    from greenlight.media import save_image, write_video

    folder.mkdir(parents=True, exist_ok=True)
    astronaut = data.astronaut()
    photo = folder / "astronaut.png"
    save_image(photo, astronaut)
    mirrored = np.ascontiguousarray(astronaut[:, ::-1])
    graded = np.clip(mirrored.astype(np.float32) * [1.05, 1.0, 0.92] + 6, 0, 255).astype(np.uint8)
    frames = (graded[20 + i : 20 + i + 384, 60 + i : 60 + i + 384] for i in range(48))
    take = folder / "take_03.mp4"
    write_video(take, frames, fps=24)
    return photo, take


def _cast(studio, photo: Path):
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
    return talent


def _scan(studio, take: Path, production: str) -> None:
    from greenlight.cli.progress import FrameProgress
    from greenlight.cli.scan import print_decision, print_scan
    from greenlight.runtime.scanning import scan

    console.rule(f"scan under {production}")
    with FrameProgress() as report:
        outcome = scan(studio, take, "demo", production, Use.DIGITAL_ALTERATION, progress=report)
    print_scan(outcome.scan)
    print_decision(outcome.decision)


def _screen(studio) -> None:
    from greenlight.cli.scan import print_decision
    from greenlight.runtime.scanning import screen

    console.rule("prompt screening")
    for prompt in ("the astronaut on the launch pad at dawn", "Captain Orla Vance saluting the crew"):
        console.print(f"prompt: {prompt!r}")
        print_decision(screen(studio, prompt, "NIGHTFALL", Use.DIGITAL_ALTERATION, "demo"))


def _deage(studio, talent, take: Path) -> None:
    from greenlight.cli.jobs import export, print_outcome, run_job
    from greenlight.cli.provenance import _print_verification
    from greenlight.runtime.jobs import review, submit
    from greenlight.runtime.verification import verify_file

    params = {"talent_id": talent.id, "years": 15, "reshape": True}
    for production in ("DAYBREAK", "NIGHTFALL"):
        console.rule(f"de-age {TALENT} by 15 years under {production}")
        job = run_job(studio, submit(studio, "deage", params, [take], production, "editor").id)
        print_outcome(studio, job)
    review(studio, job.id, True, "vfx-supervisor", "approved for the launch-day flashback")
    console.print(f"{job.id} approved by vfx-supervisor; use metered for compensation")
    deliverables = studio.home / "deliverables"
    export(job.id, deliverables, studio.home)
    [deliverable] = sorted(deliverables.glob(f"{job.id}-*"))
    _print_verification(verify_file(studio, deliverable))
    picture = _before_after(studio, job, take, deliverable)
    console.print(f"before/after picture: {picture}")


def _before_after(studio, job: Job, take: Path, deliverable: Path) -> Path:
    """The middle frame of the take and of the de-aged deliverable, full and around the face."""
    from itertools import islice

    from greenlight.media import read_frames, save_image
    from greenlight.media.sheets import before_after

    middle = 24
    [(_, before)] = islice(read_frames(take), middle, middle + 1)
    [(_, after)] = islice(read_frames(deliverable), middle, middle + 1)
    [box] = studio.analyzer.detect(before)
    pad = box.width // 2
    top, left = max(box.top - pad, 0), max(box.left - pad, 0)
    crop = (slice(top, box.bottom + pad), slice(left, box.right + pad))
    picture = studio.home / "before_after.png"
    save_image(picture, before_after([(before, after), (before[crop], after[crop])]))
    return picture


def _moodboard(studio, library: Path) -> None:
    """A small licensed library made from scikit-image's photos (the rocket's licence has run out, the
    astronaut's covers marketing only), then a mood board from it under the guards."""
    from datetime import date

    from skimage import data

    from greenlight.cli.jobs import print_outcome, run_job
    from greenlight.cli.provenance import _print_verification
    from greenlight.engines.previz.library import Licence, add_reference
    from greenlight.media import save_image
    from greenlight.runtime.jobs import submit
    from greenlight.runtime.verification import verify_file

    stock, gray = Licence("Demo Stock Ltd", ("previs", "marketing"), date(2099, 12, 31)), lambda a: np.dstack([a] * 3)
    library.mkdir(parents=True, exist_ok=True)
    for name, pixels, caption, tags, licence in (
        ("coffee", data.coffee(), "espresso on a saucer, warm morning light", ["cafe", "breakfast", "warm"], stock),
        ("chelsea", data.chelsea(), "the crew cafe's cat in soft window light", ["cat", "cafe", "warm"], stock),
        ("brick", gray(data.brick()), "old brick wall of the launch hangar", ["brick", "industrial", "texture"], stock),
        ("hubble", data.hubble_deep_field()[:400, :600], "deep field of galaxies, the night sky", ["night", "sky"],
         stock),
        ("rocket", data.rocket(), "the rocket on the pad at dawn", ["rocket", "launch", "dawn"],
         Licence("Space Archive", ("previs",), date(2024, 6, 30))),
        ("astronaut", data.astronaut(), "crew portrait in flight suits before the launch", ["crew", "portrait"],
         Licence("Agency Photo", ("marketing",), date(2099, 12, 31))),
    ):
        add_reference(library, save_image(library / f"{name}.png", pixels), caption, tags, licence)
    brief = "launch-day breakfast at the crew cafe: warm morning light, old brick, the rocket at dawn, night sky"
    console.rule("mood board from the licensed library")
    params = {"brief": brief, "library": str(library), "n": 6}
    job = run_job(studio, submit(studio, "moodboard", params, [], "NIGHTFALL", "production-designer").id)
    print_outcome(studio, job)
    with studio.transaction() as tx:
        [board] = [studio.home / a.path for a in tx.registry.job_assets(job.id)]
    _print_verification(verify_file(studio, board))
    console.print(f"mood board (signed, in review): {board}")


def _collapse(studio, media: Path) -> None:
    """A tower on a street plate falls in a dust cloud: a job like any other, then a contact sheet of it."""
    import json

    from greenlight.cli.jobs import print_outcome, run_job
    from greenlight.engines.base import available_engines
    from greenlight.engines.collapse.sheets import contact_sheet
    from greenlight.engines.collapse.street import street_plate
    from greenlight.media import read_frames, save_image
    from greenlight.runtime.jobs import submit

    console.rule("VFX: collapse a building on a street plate under NIGHTFALL")
    if "collapse" not in available_engines():  # an environment installed before the engine was added
        console.print("the collapse engine is not installed here: `make demo` (pip install -e .) installs it")
        return
    rgb, outline = street_plate(384, 216)
    plate = save_image(media / "street_plate.png", rgb)
    (media / "tower_outline.json").write_text(json.dumps({"outline": outline}))
    # Small and short so the demo stays quick; `greenlight run collapse` defaults to 24 fps and 90 pieces.
    params = {"outline": outline, "outline_file": "tower_outline.json", "fps": 12.0, "duration": 4.0,
              "start_frame": 3, "pieces": 50, "motion_blur": 2}
    job = run_job(studio, submit(studio, "collapse", params, [plate], "NIGHTFALL", "vfx-artist", seed=1).id)
    print_outcome(studio, job)
    if not job.outputs:
        return
    with studio.transaction() as tx:  # the first output is the beauty; the matte passes follow it
        [beauty] = [a for a in tx.registry.job_assets(job.id) if a.id == job.outputs[0]]
    frames = [f for _, f in read_frames(studio.home / beauty.path)]
    sheet = save_image(studio.home / "collapse_sheet.png", contact_sheet(frames, every=8, width=240))
    console.print(f"contact sheet: {sheet}")


def _verify_ledger(studio) -> None:
    with studio.transaction() as tx:
        report = tx.ledger.verify()
    console.rule("ledger")
    if report.ok:
        console.print(f"ledger verified: {report.count} entries, hash chain intact", style="green")
    else:
        console.print("ledger BROKEN: " + "; ".join(report.problems), style="red")
