"""Who teaches the organism and how its scores are finished: the teacher (`teacher`),
homology transfer (`transfer`) and the reference species of the new-organism mode
(`reference`)."""
