"""Ordinary text that screening must pass: production briefs, de-aging notes and near-misses of protected names.

``BRIEFS`` are written by hand, many within an edit or a join of a name in the adversarial corpus. ``prose()``
adds a few hundred sentences of ordinary English documentation that ships with Python (pydoc's topics),
and ``word_salad()`` sentences of random dictionary words, seeded, so joins of short words are tried too.
"""

from __future__ import annotations

import random
import re

BRIEFS = [
    # near-misses of the protected names and works
    "a hairy potter at his wheel",
    "the potter's wheel spins in the morning light",
    "Harry the stagehand adjusts the boom",
    "a hairy, harried potter glazing a bowl",
    "the bamboo forest at dawn, mist between the stalks",
    "a drone shot over the ridge above Alba",
    "obamacare protest placards",
    "she was bidden to enter the great hall",
    "an old bidet in the bathroom",
    "a hidden door behind the bookcase",
    "she bided her time in the garden",
    # near-misses of the look-alike folds (cl for d, vv for w, a capital I inside a word, ß, turned letters)
    "a clean close-up of the cyclist's clip-on",
    "the clerk circles the clause in the Baden contract",
    "VVhite Vans parked by the warehouse",
    "the McIntosh amplifier and the BiCycle props",
    "Straße bei Nacht, a wet cobbled street in Berlin",
    "¡Hola! a cheerful market stall at noon",
    "the IPA for the vowel is ɐ, as in the ɹ of a Scottish accent",
    # other people and other words within an edit of a protected given name (Barack, Dwayne)
    "Bruce Wayne walks into the cave",
    "John Wayne rides at dawn, Dewayne holds the horses",
    "Ehud Barak at the summit table",
    "Das Barock Theater, goldene Stunde",
    "Die Szene: Baracke im Hintergrund",
    "a Polish street sign for Łódź, Øresund bridge in the fog",
    "he cheered from the balcony and chewed his cigar",
    "a cheery cherub painted on the ceiling",
    "chew on the line before the take",
    "stars and wars of the ancient world",
    "star-crossed lovers at war",
    "a starry sky over the war memorial",
    "the empire of salt, a documentary about the mines",
    "the empire struck back at dawn in the history reenactment",
    "strikes and lockouts in the nineteenth century",
    "darts and a vase on the bar",
    "the dearth of water in the valley",
    "a paler shade of grey for the wall, like a wader's boots",
    "a hairy potter and a granger at the harvest fair",
    "the philosopher sat on a stone bench",
    "a granger harvesting wheat in the fields",
    "a rose garden in the rain",
    "Rose petals and lesser celandine",
    "a manual gearbox and a linen jacket",
    "Joseph and Bridget at breakfast",
    "joe's diner sign flickers in the rain",
    "a bar at the back of the ballroom",
    "a barrack square at the army base",
    "the barracks at night, one window lit",
    "a salad bar with dried dates",
    "an alley with a sky walker mural",
    "lukewarm coffee on the craft services table",
    "a lamb, a llama and a yak in the petting zoo",
    "a tuba player and a mambo band",
    "an abalone shell on the beach",
    "o b l i q u e  lighting through the blinds",
    "the A B C of lighting: key, fill and back",
    "plan B: shoot the scene at the station",
    "mamba, cobra and adder in the reptile house",
    "a cobbler's bench and a banjo",
    "the ambassador's limousine outside the embassy",
    "cheers to the crew after the wrap",
    "a copper kettle on the stove",
    "potted herbs on a sunny windowsill",
    "the hermit's cottage in the hills",
    "granite cliffs and a grange in the valley",
    "a star on the walk of fame",
    "the war room in the bunker",
    "a sky lantern festival at night",
    "chewing gum under the school desk",
    "a cello, a harp and a tuba",
    "an old obelisk in the square",
    "the bishop blessed the harvest",
    "a bald eagle over the lake",
    "an abbey in the mist",
    "the lecturer at the podium adjusts her glasses",
    "a portrait of the mayor at a podium",
    "close-up on the bride, golden hour, 35mm",
    # production briefs and de-aging notes
    "De-age by about ten years in the rehearsal flashback of episode two, for streaming",
    "Soften the nasolabial folds and lift the jowls slightly; keep the freckles",
    "Match the grain of the 16mm plate; no new faces in the background",
    "Wide establishing shot of the harbour at dusk, fishing boats returning",
    "Interior, kitchen, night: the family argues over dinner",
    "Replace the sky in shots 12 to 18 with an overcast one",
    "Remove the boom microphone from the top of frame in take three",
    "Add rain to the window and a soft reflection of the street lamps",
    "Extend the set to the left: brick warehouse, fire escape, neon sign",
    "Grade warmer for the flashback, cooler for the present day",
    "Crowd replication for the stadium: two hundred extras, seated",
    "Clean up the wire rig on the stunt double in the fall",
    "The actor's hairline should match the 2009 reference photos",
    "Reduce under-eye bags and smooth the forehead lines by half",
    "Keep the scar on the left cheek; it is a plot point",
    "A storm rolls in over the cornfield, the barn doors bang",
    "The detective walks through the empty station at 3am",
    "Previs for the car chase: three cameras, one drone",
    "Background replica of the waiter for the wide shot only",
    "A lone figure crosses the bridge in the fog",
    "Slow push-in on the letter on the table",
    "The camera tilts up from the wet cobblestones to the church tower",
    "Make the moon a little larger and more orange",
    "Day for night on the forest road, headlights on",
    "The orchestra tunes up, the conductor raises her baton",
    "Paint out the modern car in the period street scene",
    "Young version of the lead, aged twenty, for the prologue",
    "Match the lens distortion of the anamorphic plate",
    "Add snow accumulating on the shoulders of the coat",
    "Face tracking for the beauty pass on the close-up",
    "A montage of the town waking up: bakery, school bus, newspaper",
    "Roto the dancer against the green screen",
    "Fix the continuity error: the glass is full in the wide",
    "The hero holds up a lantern in the cave",
    "A quiet moment: she reads the telegram and sits down",
    "Desaturate everything except the red umbrella",
    "Older makeup for the epilogue, thirty years later",
    "The crew's lunch break overran; resume at 14:00 on stage 4",
    "Call sheet: day 12, stage 4, 6am, rain towers on standby",
    "Deliver as ProRes 4444 with a 2.39 matte",
    "Temp music: strings only, no percussion",
    "Blue-hour exterior of the lighthouse, beam sweeping",
    "The stunt team rehearses the stair fall in pads",
    "Please keep the original audio under the new picture",
    "The child actor's double for the swimming scene",
    "A 50 mm lens at T2, focus on the eyes",
    "Vintage film look: gate weave, dust and a slight flicker",
    "The mayor's speech at the podium, wide and close",
    "A protest march through the city centre, placards and drums",
    "An old man tells the story by the fire",
    "Remove the tattoo on the extra's forearm in shots 4-9",
    "The market at noon: spices, fabrics and shouting vendors",
    "A spaceship interior, corridors lit in amber",
    "An alien landscape of red dunes and two suns",
    "A wizard's study with books and potions",
    "A galaxy far away seen from a cockpit",
    "The empire's fleet is a generic armada we designed ourselves",
    # the second attack (repro/screen_false_positives.sh): names made of ordinary words, written as the words
    "The blacksmith will smith a new blade tonight.",
    "Shot 12: make it darker.",
    "Shot 12: the street is dark and wet.",
    "It is late. It rains on the rock and the rock climbs out of the sea.",
    "the rock climbs",
    "We will smith it by hand; it will rock.",
    "Will the smith finish it? It depends.",
    "WILL IT RAIN? MAKE IT DARKER.",
    # names inside ordinary words, and ordinary words that begin with a name
    "a blacksmith's forge and a smithy at dawn",
    "the rose garden is rosier at noon",
    "cherished memories of the cherry orchard",
    "a smithing class at the forge, then rock climbing",
    # a name split by a sentence or a clause
    "the star. Wars begin here, says the narrator",
    # near-misses of a character's one distinctive word, and of leet for B (the fifth attack)
    "a luke-warm coffee on the desk",
    "skywalk over the river",
    "the bush in the garden",
    "a potter at his wheel",
    "Luke and Harry at the potter's wheel",
    "granger the farmer and a potter at the fair",
    "the 13 idents of the broadcast",
    "13 idents, take 13, reel 13b",
    # ordinary Russian and Greek: the transliterated readings must not find names in them
    "Дождь над гаванью на закате, рыбацкие лодки возвращаются",
    "Гарь и дым над полем, обман зрения в тумане",
    "Бабушка печёт пироги на кухне, за окном метель",
    "Ένα ήσυχο λιμάνι το σούρουπο, οι βάρκες επιστρέφουν",
    "Μπαίνει στο δωμάτιο και ανάβει το φως",
    "Он потёр глаза и посмотрел на море",  # потёр (rubbed) is a letter off Potter
    "Бидон с молоком стоит на крыльце",  # бидон (milk can) is a letter off Biden
    "Игра в дартс в старом баре, байдарка на реке",
    "Гарри, мой сосед, чинит велосипед",
    "Майор стоит у окна, рейс задерживается",
    "Ο Μπάμπης και η Βάνα στο μπαλκόνι",
    "Ένας αγγειοπλάστης στον τροχό του, η βιβλιοθήκη είναι κλειστή",
    "Οβίδα έπεσε κοντά στο χωριό",
    # declined Russian words a case ending off a near-miss (the stems are read as well: бидона is бидон)
    "Бидона с молоком нет, Гарри потерял ключи от байдарки",
    "Обмана не было: потери оказались меньше, чем в прошлом году",
    "Вода в бидоне, гарнир на тарелке, обаяние героя в кадре",
    "Дартс в баре, байдарками по реке, обедами на террасе",
    "Поттером его никто не звал, он был гончаром в деревне",
    "Майора вызвали в штаб, бидонами таскали воду",
    # words that read as other words backwards ("rats" is "star", "raw" is "war"), and palindromes
    "raw rats in the cellar, a live evil in the stressed desserts",
    "draw rats on the wall, then a tar pit and a reed",
    "a star war game, stars and wars in the toy shop",
    "RAW RATS, RATS RAW, WAR STAR",
    "Nomad, a damon; a gnat stung a tang",
    # found by screening system translations (gettext catalogues) read backwards and without case endings
    "Τιμή: τίποτα να κάνω, με τιμή",  # τι backwards is ιτ, read as "it" by look
    "Консольный шрифт Linux PSF",  # "xuniL" and т backwards: the single letters L and t
    "Лима, столица Перу",  # the stem Лим is a letter off the initials LMM
    "генерировать инструкции Loongson MultiMedia (MMI)",  # MMI backwards is IMM
]

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ORDINARY = re.compile(r"^[A-Za-z ,;:'()\-]{30,160}[.!?]?$")


def prose(count: int = 300) -> list[str]:
    """Ordinary English sentences from the documentation that ships with Python, the same ones every run."""
    from pydoc_data.topics import topics

    picked: list[str] = []
    for key in sorted(topics):
        for sentence in _SENTENCE.split(" ".join(topics[key].split())):
            if _ORDINARY.match(sentence):
                picked.append(sentence)
    step = max(1, len(picked) // count)
    return picked[::step][:count]


def word_salad(words: list[str], count: int = 300, seed: int = 7) -> list[str]:
    """Sentences of random dictionary words, some of them one or two letters long, for joins of short words."""
    rng = random.Random(seed)
    short = [w for w in words if len(w) <= 3]
    return [
        " ".join(rng.choice(short if rng.random() < 0.4 else words) for _ in range(rng.randint(6, 14)))
        for _ in range(count)
    ]
