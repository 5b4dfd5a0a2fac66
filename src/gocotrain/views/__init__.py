"""The two views of a gene: features from its protein sequence with its homologs
(`features`, `homology`) and from its expression with its co-expressed genes (`features`,
`coexpression`)."""
