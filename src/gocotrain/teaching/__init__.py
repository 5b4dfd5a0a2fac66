"""Who teaches the organism and how its scores are finished: the teacher (`teacher`),
homology transfer (`transfer`), the own term frequencies mixed in both modes
(`frequencies`) and the reference species of the new-organism mode (`reference`)."""
