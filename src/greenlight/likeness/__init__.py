"""Likeness: face detection, landmarks, identity embeddings, enrolment, matching, image and video scans.

dlib and its models are loaded on first use, so importing this package is cheap.
"""

from greenlight.likeness.coverage import Coverage, compare_tracks
from greenlight.likeness.enrol import reference_from_photo
from greenlight.likeness.faces import Candidate, FaceAnalyzer
from greenlight.likeness.gallery import MATCH_THRESHOLD, Gallery
from greenlight.likeness.scan import scan_file, scan_image, scan_video, scan_video_per_frame

__all__ = [
    "MATCH_THRESHOLD", "Candidate", "Coverage", "FaceAnalyzer", "Gallery", "compare_tracks",
    "reference_from_photo", "scan_file", "scan_image", "scan_video", "scan_video_per_frame",
]
