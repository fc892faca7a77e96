"""Pre-production visualisation: concept frames from the studio's own diffusion model (``previz``) and
mood boards from its licensed reference library (``moodboard``)."""
