"""GOcotrain: predict Gene Ontology functions of unannotated genes by co-training
a sequence view and an expression view.

Where things are. A workflow rule (``workflow/rules/<group>.smk``) runs the one rule script,
``workflow/scripts/run_step.py``, which calls the step function of the rule's name in
``gocotrain.steps.<group>`` with the rule's inputs, outputs, params and wildcards bound by
name (``gocotrain.steps.bind``); the step reads files and calls the module that does the work.

* Inputs, read and checked once: `sequences`, `annotations` (labels), `ontology`,
  `expression`, `ids` (joining IDs), `releases` (release labels and stamps); `errors` and
  `textio` for every reader.
* Features: `features` (the sequence and expression views), `homology` (protein search and
  the per-term homology features).
* Learning: `cotraining` (the estimator), `terms` (the one per-term path: fit, choose
  co-training or not, score, save; `term_model` holds one term's views, fit and scores),
  `transfer` (homology transfer of the terms too rare to model), `reference` (a new
  organism's teacher: reference species' calibrated transfer and the labels it teaches),
  `models` (the saved-model folder, the only writer and reader), `predict` (new genes scored
  by a saved model), `batches` and `resources` (jobs and their sizes).
* Export: `export` (TSV, CAFA, GAF, Excel).
* Evaluation, which may import the product but never the reverse: `methods` (the methods
  compared, learned ones through `terms`), `splits` (cross-validation folds, time-split
  targets), `metrics` (CAFA metrics, also the ``gocotrain evaluate`` command of `cli`;
  `cafa_benchmark` builds the propagated per-aspect matrices they score), `reuse`
  (predictions kept across runs by a digest of their inputs), `changes` (what changed since
  a release), `figures`, `comparison_page`, `predictions_page` and `pages` (the report).
* Steps, one module per rule group: `steps.inputs`, `steps.features`, `steps.homology`,
  `steps.reference`, `steps.cotrain`, `steps.export`, `steps.evaluation`, `steps.predict`,
  `steps.report`.
"""

__version__ = "0.1.0"
