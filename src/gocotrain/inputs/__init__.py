"""What a run reads: sequences (FASTA, GenBank), GO annotations (GAF, gene–term tables),
the ontology (OBO), expression matrices, the IDs that join them, and the release stamp of
those inputs."""
