"""The two views of a gene: features from its protein sequence with its homologs
(`features`, `homology`, whose engines include MMseqs2 from the install: `mmseqs`) and from
its expression with its co-expressed genes (`features`, `coexpression`)."""
